import { describe, expect, it } from 'vitest';
import { GRANT_TYPES, isGrantType } from './grant-types.js';

describe('grant types (RFC 6749 §4, RFC 7591 §2, RFC 9700 §2.1.2)', () => {
  it('offers the code, refresh and client credentials grants, in the advertised order', () => {
    expect(GRANT_TYPES).toEqual(['authorization_code', 'refresh_token', 'client_credentials']);
  });

  it.each([
    ['authorization_code', true],
    ['refresh_token', true],
    ['client_credentials', true],
    ['implicit', false],
    ['password', false],
    ['urn:ietf:params:oauth:grant-type:device_code', false],
    ['AUTHORIZATION_CODE', false],
  ])('isGrantType(%j) is %s', (value, ok) => {
    expect(isGrantType(value)).toBe(ok);
  });
});
