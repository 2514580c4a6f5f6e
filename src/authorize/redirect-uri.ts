import { isRegisteredRedirectUri } from '../common/oauth/redirect-uri.js';
import type { RegisteredClient } from '../client-registration/index.js';

/**
 * Whether `uri` (a client's logo, policy, terms or home page URL) is on the site of `redirectUri`, where
 * the user is sent: the same scheme (http only on the same host), and the hosts equal or one a subdomain
 * of the other at a label boundary (`app.example.com` with `example.com` or `cdn.app.example.com`, not
 * `cdn.example.com`: without the Public Suffix List, siblings cannot be told apart from unrelated
 * registrations under a shared suffix such as `github.io`). A private-use redirect URI has no site, so
 * nothing matches it. Pages show a self-declared logo or link only when it passes (issue 7 item 9): an
 * attacker's client cannot borrow another site's logo or privacy policy.
 */
export function sharesSiteWith(uri: string | null | undefined, redirectUri: string): boolean {
  if (!uri) return false;
  let a: URL;
  let b: URL;
  try {
    a = new URL(uri);
    b = new URL(redirectUri);
  } catch {
    return false;
  }
  const web = (u: URL) => u.protocol === 'https:' || u.protocol === 'http:';
  if (!web(a) || !web(b) || !a.hostname || !b.hostname) return false;
  // Same scheme: an https redirect URI vouches for https pages only; http (loopback) for its own host.
  if (a.protocol !== b.protocol) return false;
  if (a.protocol === 'http:' && a.hostname !== b.hostname) return false;
  const x = a.hostname.toLowerCase();
  const y = b.hostname.toLowerCase();
  if (x === y) return true;
  const [shorter, longer] = x.length < y.length ? [x, y] : [y, x];
  // The parent must itself be a registrable-looking name (two labels at least), never a bare TLD.
  return shorter.includes('.') && longer.endsWith(`.${shorter}`);
}

/** Longest redirect URI the authorization request and code tables store. */
export const MAX_REDIRECT_URI_LENGTH = 2048;

/**
 * The redirect URI an authorization request may use, or `null` when none is acceptable.
 *
 * - Given: it must be registered, by the one matching rule of `common/oauth/redirect-uri.ts`
 *   ({@link isRegisteredRedirectUri}: exact, or any port for a native client's loopback URI).
 * - Omitted: allowed only when exactly one URI is registered (RFC 6749 §3.1.2.3), which is then used.
 */
export function resolveRedirectUri(
  client: Pick<RegisteredClient, 'redirectUris' | 'applicationType'>,
  requested: string | undefined,
): string | null {
  if (requested === undefined) {
    return client.redirectUris.length === 1 ? client.redirectUris[0] : null;
  }
  if (requested.length > MAX_REDIRECT_URI_LENGTH) return null;
  return isRegisteredRedirectUri(client, requested) ? requested : null;
}

/**
 * What the user is told about where a redirect URI leads: the host (with a non-default port) of an http(s)
 * URI, or the scheme of a native app's private-use URI (RFC 8252 §7.1).
 */
export function displayHost(redirectUri: string): string {
  try {
    const u = new URL(redirectUri);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.host;
    return `${u.protocol} (an application on this device)`;
  } catch {
    return redirectUri.slice(0, 100);
  }
}
