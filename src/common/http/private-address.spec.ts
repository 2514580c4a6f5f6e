import { describe, expect, it } from 'vitest';
import { isPrivateAddress } from './private-address.js';

describe(isPrivateAddress.name, () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    '[::1]',
    'fe80::1',
    'fe80::1%eth0',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '::127.0.0.1',
    'localhost',
    'not-an-ip',
  ])('refuses %s (loopback, private, link-local, reserved or not an IP)', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])(
    'allows public unicast %s',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );

  // Every IPv4 range the hand-written block list had (first and last address): ipaddr.js must agree.
  it.each([
    ['0.0.0.0', '0.255.255.255'],
    ['10.0.0.0', '10.255.255.255'],
    ['100.64.0.0', '100.127.255.255'],
    ['127.0.0.0', '127.255.255.255'],
    ['169.254.0.0', '169.254.255.255'],
    ['172.16.0.0', '172.31.255.255'],
    ['192.0.0.0', '192.0.0.255'],
    ['192.0.2.0', '192.0.2.255'],
    ['192.88.99.0', '192.88.99.255'],
    ['192.168.0.0', '192.168.255.255'],
    ['198.18.0.0', '198.19.255.255'],
    ['198.51.100.0', '198.51.100.255'],
    ['203.0.113.0', '203.0.113.255'],
    ['224.0.0.0', '239.255.255.255'],
    ['240.0.0.0', '255.255.255.254'],
  ])('refuses the IPv4 range %s - %s', (first, last) => {
    expect(isPrivateAddress(first)).toBe(true);
    expect(isPrivateAddress(last)).toBe(true);
  });

  it.each(['99.255.255.255', '100.128.0.0', '172.15.255.255', '198.17.255.255', '198.20.0.0'])(
    'allows %s, just outside a refused IPv4 range',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );

  it.each([
    '100::1', // discard-only (RFC 6666)
    '2001:db8::1', // documentation (RFC 3849)
    '3fff::1', // documentation (RFC 9637)
    'fec0::1', // site-local (deprecated, RFC 3879)
    '::8.8.8.8', // IPv4-compatible (deprecated, RFC 4291 §2.5.5.1): never a destination
    '::ffff:192.168.0.1', // IPv4-mapped private
    '[::ffff:169.254.169.254]', // IPv4-mapped cloud metadata, in brackets
    '::ffff:0:127.0.0.1', // IPv4-translated (RFC 6145) loopback
    '64:ff9b::7f00:1', // NAT64 (RFC 6052) of 127.0.0.1
    '64:ff9b::10.0.0.1', // NAT64 with a dotted tail
    '64:ff9b:1::808:808', // local-use NAT64 (RFC 8215)
    '2002:7f00:1::1', // 6to4 (RFC 3056) of 127.0.0.1
    '2002:c0a8:101::1', // 6to4 of 192.168.1.1
    '2001:0:4136:e378:8000:63bf:3fff:fdd2', // Teredo: a tunnel to an IPv4 address it hides
    '2001:2::1', // benchmarking (RFC 5180)
  ])('refuses the special IPv6 address %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['64:ff9b::808:808', '64:ff9b::8.8.8.8', '2002:808:808::1', '::ffff:1.1.1.1'])(
    'allows %s, which carries a public IPv4 address',
    (address) => {
      expect(isPrivateAddress(address)).toBe(false);
    },
  );

  it.each(['127.1', '0x7f.0.0.1', '017.0.0.1', '1.2.3', '::ffff:127.0.0.1/128', ''])(
    'refuses %s, which is not a strict IP literal (fail closed)',
    (address) => {
      expect(isPrivateAddress(address)).toBe(true);
    },
  );
});
