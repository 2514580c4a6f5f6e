import { describe, expect, it } from 'vitest';
import { resolveRedirectUri, sharesSiteWith } from './redirect-uri.js';

const web = { applicationType: 'web' as const, redirectUris: ['https://app.example.com/cb'] };
const native = {
  applicationType: 'native' as const,
  redirectUris: ['http://127.0.0.1/callback', 'http://[::1]:8080/cb', 'com.example.app:/oauth'],
};

describe(resolveRedirectUri.name, () => {
  it('accepts an exact match (RFC 6749 §3.1.2.3)', () => {
    expect(resolveRedirectUri(web, 'https://app.example.com/cb')).toBe(
      'https://app.example.com/cb',
    );
  });

  it.each([
    ['trailing slash', 'https://app.example.com/cb/'],
    ['extra query', 'https://app.example.com/cb?x=1'],
    ['different case in path', 'https://app.example.com/CB'],
    ['different case in host', 'https://APP.example.com/cb'],
    ['different port', 'https://app.example.com:8443/cb'],
    ['explicit default port', 'https://app.example.com:443/cb'],
    ['fragment', 'https://app.example.com/cb#x'],
    ['prefix', 'https://app.example.com/c'],
    ['dot segment', 'https://app.example.com/./cb'],
  ])('refuses a near miss: %s (RFC 9700 §4.1.3)', (_label, uri) => {
    expect(resolveRedirectUri(web, uri)).toBeNull();
  });

  it('uses the only registered URI when redirect_uri is omitted', () => {
    expect(resolveRedirectUri(web, undefined)).toBe('https://app.example.com/cb');
  });

  it('requires redirect_uri when several are registered', () => {
    expect(resolveRedirectUri(native, undefined)).toBeNull();
  });

  it('lets a native loopback redirect use any port (RFC 8252 §7.3)', () => {
    expect(resolveRedirectUri(native, 'http://127.0.0.1:53123/callback')).toBe(
      'http://127.0.0.1:53123/callback',
    );
    expect(resolveRedirectUri(native, 'http://[::1]:1234/cb')).toBe('http://[::1]:1234/cb');
    expect(resolveRedirectUri(native, 'http://[::1]/cb')).toBe('http://[::1]/cb');
  });

  it('lets only the port vary for native loopback redirects', () => {
    expect(resolveRedirectUri(native, 'http://127.0.0.1:5000/callback/')).toBeNull();
    expect(resolveRedirectUri(native, 'http://127.0.0.2:5000/callback')).toBeNull();
    expect(resolveRedirectUri(native, 'http://localhost:5000/callback')).toBeNull();
    expect(resolveRedirectUri(native, 'https://127.0.0.1:5000/callback')).toBeNull();
    expect(resolveRedirectUri(native, 'http://127.0.0.1:99999/callback')).toBeNull();
    expect(resolveRedirectUri(native, 'http://127.0.0.1:0/callback')).toBeNull();
  });

  it('does not extend port variance to web clients', () => {
    const loopbackWeb = { applicationType: 'web' as const, redirectUris: ['http://127.0.0.1/cb'] };
    expect(resolveRedirectUri(loopbackWeb, 'http://127.0.0.1:4000/cb')).toBeNull();
  });

  it('matches private-use scheme URIs exactly', () => {
    expect(resolveRedirectUri(native, 'com.example.app:/oauth')).toBe('com.example.app:/oauth');
    expect(resolveRedirectUri(native, 'com.example.app:/oauth/')).toBeNull();
  });

  it('refuses overlong URIs', () => {
    expect(resolveRedirectUri(web, `https://app.example.com/${'a'.repeat(2100)}`)).toBeNull();
  });

  it.each([
    ['https://app.example.com/logo.png', true],
    ['https://APP.example.com/logo.png', true],
    ['https://example.com/logo.png', true],
    ['https://cdn.app.example.com/logo.png', true],
    ['https://cdn.example.com/logo.png', false],
    ['https://bank.example/logo.png', false],
    ['https://app.example.com.evil.example/logo.png', false],
    ['https://com/logo.png', false],
    ['http://app.example.com/logo.png', false],
    ['javascript:alert(1)', false],
    [null, false],
  ])('sharesSiteWith(%j, https://app.example.com/cb) is %s (issue 7 item 9)', (uri, same) => {
    expect(sharesSiteWith(uri, 'https://app.example.com/cb')).toBe(same);
  });

  it('finds no site for a private-use redirect URI', () => {
    expect(sharesSiteWith('https://app.example.com/logo.png', 'com.example.app:/cb')).toBe(false);
  });
});
