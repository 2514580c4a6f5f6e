import { describe, expect, it } from 'vitest';
import { AuthorizeModule } from './authorize.module.js';
import { AUTHORIZE_DEFAULTS, resolveAuthorizeSettings } from './authorize.options.js';

describe(resolveAuthorizeSettings.name, () => {
  it('applies the documented defaults to omitted options', () => {
    expect(resolveAuthorizeSettings({})).toEqual({
      ...AUTHORIZE_DEFAULTS,
      scopesSupported: [...AUTHORIZE_DEFAULTS.scopesSupported],
    });
  });

  it.each([
    [{ issuer: 'not a url' }, /issuer/],
    [{ scopesSupported: [] }, /scopesSupported/],
    [{ sessionTtlSeconds: 0 }, /sessionTtlSeconds/],
    [{ rateLimit: -1 }, /rateLimit/],
    [{ loginRateWindowSeconds: 0 }, /loginRateWindowSeconds/],
  ])('refuses %o at start-up', (options, message) => {
    expect(() => resolveAuthorizeSettings(options)).toThrow(message);
  });
});

describe('AuthorizeModule composition', () => {
  it('refuses to be composed without the TokenModule that issues its codes', () => {
    expect(() => AuthorizeModule.forRoot({})).toThrow(/token/);
    expect(() => AuthorizeModule.forRootAsync({ useFactory: () => ({}) })).toThrow(/token/);
  });
});
