import { describe, expect, it } from 'vitest';
import {
  INTROSPECTION_ENDPOINT_AUTH_METHODS,
  isTokenEndpointAuthMethod,
  TOKEN_ENDPOINT_AUTH_METHODS,
  usesClientSecret,
} from './client-auth-methods.js';

describe('client authentication methods (RFC 7591 §2, RFC 7662 §2.1)', () => {
  it('lists the four supported methods in the advertised order', () => {
    expect(TOKEN_ENDPOINT_AUTH_METHODS).toEqual([
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
      'none',
    ]);
  });

  it('leaves none out at the introspection endpoint (RFC 7662 §2.1)', () => {
    expect(INTROSPECTION_ENDPOINT_AUTH_METHODS).toEqual([
      'client_secret_basic',
      'client_secret_post',
      'private_key_jwt',
    ]);
  });

  it.each([
    ['client_secret_basic', true],
    ['none', true],
    ['client_secret_jwt', false],
    ['tls_client_auth', false],
    ['', false],
  ])('isTokenEndpointAuthMethod(%j) is %s', (value, ok) => {
    expect(isTokenEndpointAuthMethod(value)).toBe(ok);
  });

  it('issues a secret only for the secret methods (RFC 7591 §3.2.1)', () => {
    expect(TOKEN_ENDPOINT_AUTH_METHODS.filter(usesClientSecret)).toEqual([
      'client_secret_basic',
      'client_secret_post',
    ]);
  });
});
