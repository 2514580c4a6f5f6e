/**
 * Loopback hosts as `URL.hostname` spells them (RFC 8252 §7.3, RFC 6761 §6.3 for `localhost`): shared by
 * the redirect URI rules of registration and the redirect URI matching of the token endpoint.
 */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}
