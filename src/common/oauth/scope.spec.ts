import { describe, expect, it } from 'vitest';
import { isScopeToken, parseScopeValue, SCOPE_PATTERN } from './scope.js';

describe('RFC 6749 §3.3 scope grammar', () => {
  it.each([
    ['openid', true],
    ['urn:example:read', true],
    ['a!#[]~', true],
    ['', false],
    ['a b', false],
    ['a"b', false],
    ['a\\b', false],
    ['é', false],
    ['a\tb', false],
  ])('isScopeToken(%j) is %s', (value, ok) => {
    expect(isScopeToken(value)).toBe(ok);
  });

  it('splits a scope into unique tokens, keeping the first order', () => {
    expect(parseScopeValue('openid profile openid')).toEqual(['openid', 'profile']);
    expect(parseScopeValue('openid')).toEqual(['openid']);
  });

  it.each(['', ' ', 'openid  profile', ' openid', 'openid ', 'openid "x"', 'openid\tprofile'])(
    'refuses %j (scope-token *( SP scope-token ))',
    (value) => {
      expect(parseScopeValue(value)).toBeNull();
      expect(SCOPE_PATTERN.test(value)).toBe(false);
    },
  );
});
