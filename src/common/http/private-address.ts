import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * `ipaddr.js` ranges (its `range()` names) that a server-side fetch of a client-supplied URL may reach:
 * global unicast, and the anycast services AS112 (RFC 7534) and AMT relays (RFC 7450). Everything else
 * is refused unless allowed: unspecified, loopback, private (RFC 1918), shared (RFC 6598), link-local,
 * multicast, broadcast, reserved and documentation ranges, unique-local, site-local, discard-only,
 * benchmarking, ORCHID, segment-routing SIDs and Teredo (RFC 6890 special-purpose registries; RFC 9700
 * §4.15 and OWASP SSRF guidance). An allow-list: a range ipaddr.js learns later is refused by default.
 */
const PUBLIC_RANGES = new Set(['unicast', 'as112', 'as112v6', 'amt']);

/**
 * IPv6 ranges that carry an IPv4 address the packet ends up at: IPv4-mapped (`::ffff:a.b.c.d`, RFC 4291
 * §2.5.5.2), IPv4-translated (`::ffff:0:a.b.c.d`, RFC 6145), NAT64 (`64:ff9b::/96`, RFC 6052) and 6to4
 * (`2002:aabb:ccdd::/48`, RFC 3056). They are judged by that IPv4 address.
 */
function embeddedIPv4(addr: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = addr.range();
  const b = addr.toByteArray();
  // rfc6052 also names the local-use 64:ff9b:1::/48 (RFC 8215), whose IPv4 is not at the end: refused.
  if (
    range === 'ipv4Mapped' ||
    range === 'rfc6145' ||
    (range === 'rfc6052' && addr.parts[2] === 0)
  ) {
    return new ipaddr.IPv4([b[12], b[13], b[14], b[15]]);
  }
  if (range === '6to4') return new ipaddr.IPv4([b[2], b[3], b[4], b[5]]);
  return null;
}

/**
 * True when `address` (an IP literal, optionally in brackets or with an IPv6 zone) is loopback, private,
 * link-local or otherwise not a public unicast address ({@link PUBLIC_RANGES}). IPv4-mapped, NAT64 and
 * 6to4 addresses are judged by the IPv4 address they carry; the deprecated IPv4-compatible form
 * (`::a.b.c.d`, RFC 4291 §2.5.5.1) is refused. Anything that is not an IP literal in the strict form of
 * `net.isIP` (no `127.1`, no hex octets) counts as private (fail closed).
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (isIP(bare) === 0) return true;
  // ipaddr.js reads the deprecated IPv4-compatible `::a.b.c.d` as IPv4-mapped; it is no destination.
  if (/^::\d+\.\d+\.\d+\.\d+$/.test(bare)) return true;
  let addr: ipaddr.IPv4 | ipaddr.IPv6 = ipaddr.parse(bare);
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    // ::/96 (unspecified, loopback and IPv4-compatible addresses): never a destination.
    if (v6.parts.slice(0, 6).every((p) => p === 0)) return true;
    addr = embeddedIPv4(v6) ?? v6;
  }
  return !PUBLIC_RANGES.has(addr.range());
}
