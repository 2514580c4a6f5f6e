import { describe, expect, it } from 'vitest';
import { loadConfig } from './app-config.js';
import { parseTrustProxy } from './trust-proxy.js';

describe(parseTrustProxy.name, () => {
  it('refuses true and its spellings: the leftmost X-Forwarded-For is the client’s own claim', () => {
    for (const value of ['true', 'TRUE', 'yes', 'on', '*']) {
      expect(() => parseTrustProxy(value), value).toThrow(/TRUST_PROXY=true is refused/);
    }
  });

  it('reads unset, false and 0 as no proxy, and a hop count as a number', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('')).toBe(false);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('0')).toBe(false);
    expect(parseTrustProxy('2')).toBe(2);
    expect(() => parseTrustProxy('11')).toThrow(/at most 10/);
  });

  it('accepts addresses, CIDR subnets, IPv4 netmasks and the named ranges, comma separated', () => {
    expect(
      parseTrustProxy('loopback, 10.0.0.0/8,fd00::/8,192.0.2.1,10.0.0.0/255.0.0.0,uniquelocal'),
    ).toEqual([
      'loopback',
      '10.0.0.0/8',
      'fd00::/8',
      '192.0.2.1',
      '10.0.0.0/255.0.0.0',
      'uniquelocal',
    ]);
  });

  it('refuses host names, bad prefixes, non-contiguous netmasks and empty entries', () => {
    for (const value of [
      'proxy.example',
      '10.0.0.0/33',
      '::1/129',
      '10.0.0.0/255.0.255.0',
      'loopback,',
    ]) {
      expect(() => parseTrustProxy(value), value).toThrow(/not understood/);
    }
  });

  it('stops start-up through the environment validation, naming the variable', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(
      /TRUST_PROXY="true": TRUST_PROXY=true is refused/,
    );
    expect(loadConfig({ TRUST_PROXY: 'loopback' }).trustProxy).toEqual(['loopback']);
  });
});
