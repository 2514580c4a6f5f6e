import { describe, expect, it } from 'vitest';
import { isLoopbackHost, isRegisteredRedirectUri } from './redirect-uri.js';

const web = { applicationType: 'web' as const, redirectUris: ['https://app.example.com/cb'] };
const native = {
  applicationType: 'native' as const,
  redirectUris: ['http://127.0.0.1/callback', 'http://[::1]:8080/cb', 'com.example.app:/oauth'],
};

describe(isRegisteredRedirectUri.name, () => {
  it('accepts an exact match (RFC 6749 §3.1.2.3)', () => {
    expect(isRegisteredRedirectUri(web, 'https://app.example.com/cb')).toBe(true);
    expect(isRegisteredRedirectUri(native, 'com.example.app:/oauth')).toBe(true);
  });

  it.each([
    ['trailing slash', 'https://app.example.com/cb/'],
    ['case in host', 'https://APP.example.com/cb'],
    ['explicit default port', 'https://app.example.com:443/cb'],
    ['dot segment', 'https://app.example.com/./cb'],
    ['percent-encoded path', 'https://app.example.com/%63b'],
  ])(
    'refuses a near miss without normalising: %s (RFC 3986 §6.2.1, RFC 9700 §4.1.3)',
    (_l, uri) => {
      expect(isRegisteredRedirectUri(web, uri)).toBe(false);
    },
  );

  it('lets a native loopback redirect URI use any port (RFC 8252 §7.3)', () => {
    expect(isRegisteredRedirectUri(native, 'http://127.0.0.1:53123/callback')).toBe(true);
    expect(isRegisteredRedirectUri(native, 'http://[::1]:1234/cb')).toBe(true);
    expect(isRegisteredRedirectUri(native, 'http://[::1]/cb')).toBe(true);
    expect(isRegisteredRedirectUri(native, 'http://127.0.0.1:65535/callback')).toBe(true);
  });

  it.each([
    ['other path', 'http://127.0.0.1:5000/callback/'],
    ['other IP literal', 'http://127.0.0.2:5000/callback'],
    ['localhost for an IP literal', 'http://localhost:5000/callback'],
    ['IPv4 shorthand', 'http://127.1:5000/callback'],
    ['dot segment', 'http://127.0.0.1:5000/./callback'],
    ['https', 'https://127.0.0.1:5000/callback'],
    ['port out of range', 'http://127.0.0.1:99999/callback'],
    ['port 0', 'http://127.0.0.1:0/callback'],
    ['empty port', 'http://127.0.0.1:/callback'],
  ])('lets only the port vary: refuses %s', (_l, uri) => {
    expect(isRegisteredRedirectUri(native, uri)).toBe(false);
  });

  it('does not extend port variance to web clients', () => {
    const loopbackWeb = { applicationType: 'web' as const, redirectUris: ['http://127.0.0.1/cb'] };
    expect(isRegisteredRedirectUri(loopbackWeb, 'http://127.0.0.1:4000/cb')).toBe(false);
  });

  it('matches private-use scheme URIs exactly', () => {
    expect(isRegisteredRedirectUri(native, 'com.example.app:/oauth/')).toBe(false);
  });
});

describe(isLoopbackHost.name, () => {
  it.each([
    ['localhost', true],
    ['127.0.0.1', true],
    ['127.10.0.3', true],
    ['[::1]', true],
    ['128.0.0.1', false],
    ['app.localhost', false],
    ['localhost.example.com', false],
    ['::1', false],
  ])('%s is %s (RFC 8252 §7.3, RFC 6761 §6.3)', (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});
