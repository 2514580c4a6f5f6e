/**
 * Redirect URI matching (RFC 6749 §3.1.2.3, RFC 9700 §4.1.3, RFC 8252 §7.3): the one definition that
 * `/oauth/authorize`, PAR and the token endpoint's authorization_code grant all use (docs/adr/0022).
 */

/**
 * Loopback hosts as `URL.hostname` spells them (RFC 8252 §7.3 for the IP literals, RFC 6761 §6.3 for
 * `localhost`). Registration uses it to allow `http` redirect URIs; the configuration's issuer check adds
 * the `*.localhost` names on top.
 */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * `http://<loopback host>[:port]<rest>` split into its parts on the raw string: no URL normalisation, so
 * that case, dot-segment, percent-encoding or IPv4-shorthand differences (`127.1`) still count as
 * differences (RFC 3986 §6.2.1 simple string comparison, which RFC 6749 §3.1.2.3 prescribes).
 */
const LOOPBACK_URI =
  /^http:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\]|localhost)(?::(\d{1,5}))?([/?].*)?$/;

interface LoopbackParts {
  host: string;
  port: string | undefined;
  rest: string;
}

function loopbackParts(uri: string): LoopbackParts | null {
  const m = LOOPBACK_URI.exec(uri);
  if (!m) return null;
  return { host: m[1], port: m[2], rest: m[3] ?? '' };
}

/** The client fields redirect URI matching reads. */
export interface RedirectUriOwner {
  redirectUris: readonly string[];
  applicationType: 'web' | 'native';
}

/**
 * Whether `uri` is one of `client`'s registered redirect URIs:
 *
 * - character for character (RFC 6749 §3.1.2.3 with RFC 3986 §6.2.1 simple string comparison; RFC 9700
 *   §4.1.3: no prefix, case, dot-segment or trailing-slash leniency);
 * - or, for a `native` client whose registered URI is a loopback `http` URI, the same URI with any port
 *   (RFC 8252 §7.3: "MUST allow any port to be specified at the time of the request for loopback IP
 *   redirect URIs"): scheme, host as written (an IP literal is compared as the literal, `localhost` stays
 *   `localhost`), path and query must still be identical.
 */
export function isRegisteredRedirectUri(client: RedirectUriOwner, uri: string): boolean {
  if (client.redirectUris.includes(uri)) return true;
  if (client.applicationType !== 'native') return false;
  const asked = loopbackParts(uri);
  if (!asked) return false;
  if (asked.port !== undefined && (Number(asked.port) < 1 || Number(asked.port) > 65535)) {
    return false;
  }
  return client.redirectUris.some((registered) => {
    const r = loopbackParts(registered);
    return r !== null && r.host === asked.host && r.rest === asked.rest;
  });
}
