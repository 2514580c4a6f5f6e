import { describe, expect, it } from 'vitest';
import { OAuthError } from '../common/errors/oauth-error.js';
import { acceptedAssertionAudiences, checkAssertionClaims } from './client-assertion-claims.js';

const ISSUER = 'https://as.example';
const TOKEN = `${ISSUER}/api/v1/oauth/token`;
const NOW = 1_700_000_000;
const rules = { audiences: [ISSUER, TOKEN], maxLifetimeSeconds: 300, now: NOW };
const claims = (extra: Record<string, unknown> = {}) => ({
  aud: ISSUER,
  exp: NOW + 60,
  iat: NOW,
  jti: 'j1',
  ...extra,
});

function refusal(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OAuthError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe(checkAssertionClaims.name, () => {
  it('accepts a single string aud of this server and returns exp and jti', () => {
    expect(checkAssertionClaims(claims(), rules)).toEqual({ exp: NOW + 60, jti: 'j1' });
    expect(checkAssertionClaims(claims({ aud: TOKEN }), rules).jti).toBe('j1');
  });

  it('refuses an aud array, even one naming only this server (draft-ietf-oauth-rfc7523bis)', () => {
    for (const aud of [['https://other-as.example', ISSUER], [ISSUER]]) {
      const e = refusal(() => checkAssertionClaims(claims({ aud }), rules));
      expect(e.error).toBe('invalid_client');
      expect(e.status).toBe(401);
      expect(e.description).toMatch(/single string/);
    }
  });

  it('refuses another audience or none (RFC 7523 §3 item 3)', () => {
    for (const aud of ['https://other-as.example', `${ISSUER}/`, undefined, 5]) {
      expect(refusal(() => checkAssertionClaims(claims({ aud }), rules)).error).toBe(
        'invalid_client',
      );
    }
  });

  it('caps the lifetime at maxLifetimeSeconds plus leeway (RFC 7523 §3 item 4)', () => {
    expect(checkAssertionClaims(claims({ exp: NOW + 330 }), rules).exp).toBe(NOW + 330);
    expect(
      refusal(() => checkAssertionClaims(claims({ exp: NOW + 331 }), rules)).description,
    ).toMatch(/within 300 seconds/);
    const long = { ...rules, maxLifetimeSeconds: 3600 };
    expect(checkAssertionClaims(claims({ exp: NOW + 3600 }), long).exp).toBe(NOW + 3600);
  });

  it('refuses a missing or past exp, a future nbf or iat, a missing jti', () => {
    for (const extra of [
      { exp: undefined },
      { exp: NOW - 31 },
      { nbf: NOW + 31 },
      { iat: NOW + 31 },
      { jti: undefined },
      { jti: '' },
    ]) {
      expect(refusal(() => checkAssertionClaims(claims(extra), rules)).error).toBe(
        'invalid_client',
      );
    }
  });
});

describe(acceptedAssertionAudiences.name, () => {
  const urls = { issuer: ISSUER, tokenEndpoint: TOKEN, endpoint: `${ISSUER}/api/v1/oauth/revoke` };
  it('is the issuer only in issuer mode', () => {
    expect(acceptedAssertionAudiences('issuer', urls)).toEqual([ISSUER]);
  });
  it('adds the token endpoint and the endpoint called by default', () => {
    expect(acceptedAssertionAudiences('issuer-or-endpoint', urls)).toEqual([
      ISSUER,
      TOKEN,
      urls.endpoint,
    ]);
  });
});
