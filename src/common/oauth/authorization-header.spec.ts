import { describe, expect, it } from 'vitest';
import { OAuthError } from '../errors/oauth-error.js';
import { requireBearerToken, schemeCredentials } from './authorization-header.js';

describe(schemeCredentials.name, () => {
  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Bearer   abc', 'abc'],
    ['Bearer abc  ', 'abc'],
    ['Bearer a-b.c_d~e+f/g==', 'a-b.c_d~e+f/g=='],
  ])('reads %j as %j (RFC 6750 §2.1: case-insensitive scheme, 1*SP b64token)', (header, token) => {
    expect(schemeCredentials(header, 'Bearer')).toBe(token);
  });

  it.each([
    'Bearer',
    'Bearer ',
    'Bearer a b',
    'Bearer a=b',
    'Bearer a!',
    'Bearer "abc"',
    'Bearer ===',
  ])('finds %j malformed', (header) => {
    expect(schemeCredentials(header, 'Bearer')).toBeNull();
  });

  it.each([undefined, 'Basic YTpi', 'DPoP abc', 'Bearerabc', 'Bearer\tabc', '', ' Bearer abc'])(
    'finds no Bearer credentials in %j',
    (header) => {
      expect(schemeCredentials(header, 'Bearer')).toBeUndefined();
    },
  );

  it('reads the DPoP (RFC 9449 §7.1) and Basic (RFC 7617 §2) schemes by the same grammar', () => {
    expect(schemeCredentials('DPoP abc', 'DPoP')).toBe('abc');
    expect(schemeCredentials('dpop  abc', 'DPoP')).toBe('abc');
    expect(schemeCredentials('DPoP', 'DPoP')).toBeNull();
    expect(schemeCredentials('Basic YTpi', 'Basic')).toBe('YTpi');
    expect(schemeCredentials('basic YTpi', 'Basic')).toBe('YTpi');
    expect(schemeCredentials('Basic a:b', 'Basic')).toBeNull();
    expect(schemeCredentials('Bearer abc', 'Basic')).toBeUndefined();
  });
});

describe(requireBearerToken.name, () => {
  const errorOf = (header: string | undefined): OAuthError => {
    try {
      requireBearerToken(header);
    } catch (e) {
      return e as OAuthError;
    }
    throw new Error('no error');
  };

  it('returns the token', () => {
    expect(requireBearerToken('Bearer  abc')).toBe('abc');
  });

  it.each([undefined, 'Basic YTpi', 'Bearer a b', 'Bearer'])(
    'answers 401 invalid_token with the Bearer challenge for %j (RFC 6750 §3.1)',
    (header) => {
      const e = errorOf(header);
      expect(e).toBeInstanceOf(OAuthError);
      expect(e.status).toBe(401);
      expect(e.error).toBe('invalid_token');
      expect(e.headers['WWW-Authenticate']).toMatch(/^Bearer error="invalid_token"/);
    },
  );
});
