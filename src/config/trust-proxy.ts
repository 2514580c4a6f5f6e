import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Express `trust proxy` as this server accepts it (`TRUST_PROXY`): `false` (trust no proxy: the client IP
 * is the socket's peer), a hop count, or the addresses and subnets of the proxies in front.
 */
export type TrustProxySetting = false | number | string[];

/** Express's named ranges (proxy-addr): 127.0.0.1/8 and ::1; 169.254.0.0/16 and fe80::/10; RFC 1918 and fc00::/7. */
export const TRUST_PROXY_NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal'] as const;

/** More proxies than this in front of one server is not a deployment but a typo (or `true` by another name). */
export const MAX_TRUSTED_HOPS = 10;

/** Thrown with a message that says what to set instead. */
export class TrustProxyError extends Error {}

/**
 * Parses `TRUST_PROXY`. Accepted: unset, `false` or `0` (no proxy); a hop count `1`…`10` (the number of
 * proxies in front: the client IP is the address that many entries from the right of `X-Forwarded-For`);
 * a comma-separated list of proxy addresses, CIDR subnets (`10.0.0.0/8`, `fd00::/8`, IPv4 `addr/netmask`)
 * and Express's named ranges (`loopback`, `linklocal`, `uniquelocal`).
 *
 * Refused: `true`, because Express then takes the leftmost `X-Forwarded-For` entry, which the client
 * writes itself, as the client IP, so every per-IP rate limit could be dodged by sending a new header
 * (issue 7 item 12).
 */
export function parseTrustProxy(raw: string | undefined): TrustProxySetting {
  const value = raw?.trim() ?? '';
  if (value === '' || /^(false|0)$/i.test(value)) return false;
  if (/^(true|yes|on)$/i.test(value) || value === '*') {
    throw new TrustProxyError(
      'TRUST_PROXY=true is refused: it makes the leftmost X-Forwarded-For entry, which any client can ' +
        'write, the client IP, so per-IP rate limits could be dodged. Set the number of proxies in front ' +
        '(e.g. TRUST_PROXY=1 behind one load balancer) or their addresses or subnets ' +
        '(e.g. TRUST_PROXY=loopback or TRUST_PROXY=10.0.0.0/8).',
    );
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_TRUSTED_HOPS) {
      throw new TrustProxyError(
        `TRUST_PROXY hop count must be at most ${MAX_TRUSTED_HOPS} (the number of proxies in front of the server)`,
      );
    }
    return hops;
  }
  const entries = value.split(',').map((s) => s.trim());
  const bad = entries.filter((e) => !isTrustedProxyEntry(e));
  if (bad.length > 0) {
    throw new TrustProxyError(
      `TRUST_PROXY entries must be IP addresses, CIDR subnets or one of ${TRUST_PROXY_NAMED_RANGES.join(', ')}; ` +
        `not understood: ${bad.map((b) => JSON.stringify(b.slice(0, 60))).join(', ')}`,
    );
  }
  return entries;
}

function isTrustedProxyEntry(entry: string): boolean {
  if ((TRUST_PROXY_NAMED_RANGES as readonly string[]).includes(entry)) return true;
  const slash = entry.indexOf('/');
  if (slash < 0) return isIP(entry) !== 0;
  const address = entry.slice(0, slash);
  const suffix = entry.slice(slash + 1);
  const family = isIP(address);
  if (family === 0) return false;
  if (/^\d{1,3}$/.test(suffix)) return Number(suffix) <= (family === 4 ? 32 : 128);
  // IPv4 netmask form, e.g. 10.0.0.0/255.0.0.0 (contiguous ones only), as proxy-addr accepts it.
  if (family !== 4 || isIP(suffix) !== 4) return false;
  return ipaddr.IPv4.parse(suffix).prefixLengthFromSubnetMask() !== null;
}
