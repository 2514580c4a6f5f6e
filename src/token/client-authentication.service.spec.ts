import { describe, expect, it } from 'vitest';
import { OAuthError } from '../common/errors/oauth-error.js';
import { parseBasic } from './client-authentication.service.js';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe(parseBasic.name, () => {
  it('ignores a missing header and other schemes', () => {
    expect(parseBasic(undefined)).toBeNull();
    expect(parseBasic('Bearer abc')).toBeNull();
    expect(parseBasic('Basicx abc')).toBeNull();
  });

  it('decodes form-urlencoded id and secret (RFC 6749 §2.3.1)', () => {
    expect(parseBasic(`Basic ${b64('my%20client:s%3Acr+et%2B')}`)).toEqual({
      clientId: 'my client',
      clientSecret: 's:cr et+',
    });
    expect(parseBasic(`basic ${b64('id:secret')}`)).toEqual({
      clientId: 'id',
      clientSecret: 'secret',
    });
  });

  it('splits at the first colon only', () => {
    expect(parseBasic(`Basic ${b64('id:a:b')}`)).toEqual({ clientId: 'id', clientSecret: 'a:b' });
  });

  it.each([
    ['no colon', `Basic ${b64('idsecret')}`],
    ['empty id', `Basic ${b64(':secret')}`],
    ['empty secret', `Basic ${b64('id:')}`],
    ['bad percent-encoding', `Basic ${b64('id:%E0%A4%A')}`],
    ['not base64', 'Basic !!!'],
    ['no credentials', 'Basic'],
  ])('refuses %s with invalid_client and a Basic challenge', (_name, header) => {
    let err: unknown;
    try {
      parseBasic(header);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OAuthError);
    expect((err as OAuthError).error).toBe('invalid_client');
    expect((err as OAuthError).status).toBe(401);
    expect((err as OAuthError).headers['WWW-Authenticate']).toMatch(/^Basic /);
  });
});
