import { describe, expect, it } from 'vitest';
import { resolveTokenSettings, TOKEN_DEFAULTS } from './token.options.js';

describe(resolveTokenSettings.name, () => {
  it('applies the documented defaults to omitted options', () => {
    const s = resolveTokenSettings({});
    expect(s).toMatchObject({ ...TOKEN_DEFAULTS, jwksFetch: { ...TOKEN_DEFAULTS.jwksFetch } });
    expect(s.apiUrl('/oauth/token')).toBe('http://localhost:3000/oauth/token');
  });

  it('builds endpoint URLs from the issuer and the route prefix (the audience of RFC 7523 assertions)', () => {
    const s = resolveTokenSettings({ issuer: 'https://id.example.com/', routePrefix: 'api/v1/' });
    expect(s.issuer).toBe('https://id.example.com');
    expect(s.apiUrl('/oauth/token')).toBe('https://id.example.com/api/v1/oauth/token');
  });

  it('keeps the default of a jwksFetch member that is left out', () => {
    expect(resolveTokenSettings({ jwksFetch: { timeoutMs: 500 } }).jwksFetch).toEqual({
      ...TOKEN_DEFAULTS.jwksFetch,
      timeoutMs: 500,
    });
  });

  it.each([
    [{ issuer: 'localhost:3000' }, /issuer/],
    [{ accessTtlSeconds: 0 }, /accessTtlSeconds/],
    [{ authCodeTtlSeconds: 1.5 }, /authCodeTtlSeconds/],
    [{ rateLimit: -1 }, /rateLimit/],
    [{ rateWindowSeconds: 0 }, /rateWindowSeconds/],
    [{ idTokenAlg: 'HS256' as never }, /idTokenAlg/],
    [{ jwksFetch: { fetchLimitPerMinute: -1 } }, /fetchLimitPerMinute/],
    [{ clientAssertion: { audience: 'any' as never } }, /clientAssertion.audience/],
    [{ clientAssertion: { maxLifetimeSeconds: 5 } }, /maxLifetimeSeconds/],
    [{ resourceIndicators: { allowed: ['/relative'] } }, /resourceIndicators.allowed/],
  ])('refuses %o at start-up', (options, message) => {
    expect(() => resolveTokenSettings(options)).toThrow(message);
  });

  it('keeps the issue 7 defaults: one-string assertion aud of this server, 300 s, any resource, 5 fetches', () => {
    const s = resolveTokenSettings({});
    expect(s.clientAssertion).toEqual({ audience: 'issuer-or-endpoint', maxLifetimeSeconds: 300 });
    expect(s.resourceIndicators).toEqual({ allowed: null, warnWhenUnrestricted: false });
    expect(s.jwksFetch.fetchLimitPerMinute).toBe(5);
    expect(
      resolveTokenSettings({
        resourceIndicators: { allowed: ['https://a.example/', 'https://a.example/'] },
      }).resourceIndicators.allowed,
    ).toEqual(['https://a.example/']);
  });
});
