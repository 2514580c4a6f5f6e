/**
 * The host allow-list of open registration (`REGISTRATION_ALLOWED_REDIRECT_HOSTS`, RFC 9700 §4.11.2):
 * parsing, shared by the environment validation and ClientRegistrationModule, and matching.
 */

/**
 * Parses `REGISTRATION_ALLOWED_REDIRECT_HOSTS` entries: host names (compared case-insensitively, in their
 * ASCII form) or `*.` followed by a host name, where `*` stands for exactly one label (as in certificate
 * wildcards, RFC 6125 §6.4.3): `*.example.com` matches `app.example.com`, neither `example.com` nor
 * `a.b.example.com`. IP literals are written as in URLs (`127.0.0.1`, `[::1]`). Throws on anything else.
 */
export function parseRedirectHostAllowList(entries: readonly string[]): string[] {
  return entries.map((raw) => {
    const entry = raw.trim().toLowerCase();
    const wildcard = entry.startsWith('*.');
    const host = wildcard ? entry.slice(2) : entry;
    let parsed: string | null;
    try {
      parsed = /^[a-z0-9.[\]:-]+$/.test(host) ? new URL(`https://${host}/`).hostname : null;
    } catch {
      parsed = null;
    }
    if (!parsed || parsed !== host || host.includes('*') || (wildcard && host.startsWith('['))) {
      throw new Error(
        `"${raw.slice(0, 100)}" is not a host name, an IP literal or *.<host name> (no scheme, port or path)`,
      );
    }
    return wildcard ? `*.${host}` : host;
  });
}

/** Whether `hostname` (as `URL.hostname` gives it) is matched by an entry of {@link parseRedirectHostAllowList}. */
export function redirectHostAllowed(hostname: string, allowList: readonly string[]): boolean {
  const host = hostname.toLowerCase();
  return allowList.some((entry) => {
    if (!entry.startsWith('*.')) return host === entry;
    const suffix = entry.slice(1); // ".example.com"
    if (!host.endsWith(suffix)) return false;
    const label = host.slice(0, -suffix.length);
    return label.length > 0 && !label.includes('.');
  });
}
