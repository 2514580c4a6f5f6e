import { describe, expect, it } from 'vitest';
import { OAuthError } from '../common/errors/oauth-error.js';
import { parseScope, TokenParams } from './token-params.js';

const errorOf = (fn: () => unknown): OAuthError => {
  try {
    fn();
  } catch (e) {
    return e as OAuthError;
  }
  throw new Error('expected an error');
};

describe(TokenParams.name, () => {
  it('reads single string values and treats empty values as omitted (RFC 6749 §3.1)', () => {
    const sut = TokenParams.from({ grant_type: 'client_credentials', scope: '' });
    expect(sut.get('grant_type')).toBe('client_credentials');
    expect(sut.has('scope')).toBe(false);
    expect(sut.get('scope')).toBeUndefined();
  });

  it('refuses a repeated parameter with invalid_request (RFC 6749 §3.2)', () => {
    const err = errorOf(() => TokenParams.from({ code: ['a', 'b'] }));
    expect(err).toBeInstanceOf(OAuthError);
    expect(err.error).toBe('invalid_request');
    expect(err.description).toMatch(/code/);
  });

  it('allows repeats of repeatable parameters (RFC 8707 resource)', () => {
    const sut = TokenParams.from({ resource: ['https://a.example/', 'https://b.example/'] }, [
      'resource',
    ]);
    expect(sut.getAll('resource')).toEqual(['https://a.example/', 'https://b.example/']);
  });

  it('refuses non-string JSON values with invalid_request', () => {
    for (const body of [{ code: 5 }, { code: { a: 1 } }, { code: null }, { code: [1] }]) {
      expect(errorOf(() => TokenParams.from(body)).error).toBe('invalid_request');
    }
  });

  it('reads no parameters from a missing or non-object body', () => {
    for (const body of [undefined, null, 'text', ['a']]) {
      expect(TokenParams.from(body).has('grant_type')).toBe(false);
    }
  });

  it('names the missing parameter in require()', () => {
    const err = errorOf(() => TokenParams.from({}).require('refresh_token'));
    expect(err.error).toBe('invalid_request');
    expect(err.description).toContain('refresh_token');
  });

  it('does not echo hostile parameter names', () => {
    const err = errorOf(() => TokenParams.from({ '<script>': ['a', 'b'] }));
    expect(err.description).not.toContain('<script>');
  });
});

describe(parseScope.name, () => {
  it('splits on spaces and removes duplicates (RFC 6749 §3.3)', () => {
    expect(parseScope('openid profile openid')).toEqual(['openid', 'profile']);
    expect(parseScope(undefined)).toBeUndefined();
  });

  it('refuses malformed scope values with invalid_scope', () => {
    for (const s of ['a  b', ' a', 'a"b', 'a\\b', 'ü']) {
      expect(errorOf(() => parseScope(s)).error).toBe('invalid_scope');
    }
  });
});
