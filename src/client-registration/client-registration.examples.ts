import type { ExamplesObject } from '@nestjs/swagger';
import { REGISTRATION_PATHS } from './client-registration.constants.js';
import type { RegistrationResponseStyle } from './client-registration.options.js';

/**
 * Request bodies Swagger UI's "Try it out" sends to `POST /oauth/register`. Each is a complete, valid
 * registration (a test posts every one and expects 201): the per-field examples of the schema cannot be
 * combined into one, because some fields exclude each other (`jwks` xor `jwks_uri`, RFC 7591 §2).
 */
export const REGISTRATION_REQUEST_EXAMPLES: ExamplesObject = {
  web: {
    summary: 'Web application (confidential, authorization code + refresh token)',
    value: {
      client_name: 'My Application',
      redirect_uris: ['https://app.example.com/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile email',
      client_uri: 'https://app.example.com',
      logo_uri: 'https://app.example.com/logo.png',
      contacts: ['admin@example.com'],
    },
  },
  native: {
    summary: 'Native application (public client with PKCE, RFC 8252 loopback redirect)',
    value: {
      client_name: 'My Desktop App',
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
      scope: 'openid profile offline_access',
    },
  },
  service: {
    summary: 'Machine-to-machine client (client_credentials only, no redirect URI)',
    value: {
      client_name: 'Nightly Export',
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'profile',
    },
  },
};

/**
 * The body "Try it out" sends to `PUT /oauth/register/{client_id}`: the complete new metadata (RFC 7592
 * §2.2 replaces, it does not merge), valid for the client registered with the `web` example.
 */
export const UPDATE_REQUEST_EXAMPLES: ExamplesObject = {
  replace: {
    summary: 'Replace the metadata (omitted fields are cleared or reset to their defaults)',
    value: {
      client_name: 'My Application v2',
      redirect_uris: ['https://app.example.com/callback', 'https://app.example.com/callback2'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'openid profile',
    },
  },
};

/** What the `web` example registers: the client information (RFC 7591 §3.2.1). */
const REGISTERED_CLIENT_EXAMPLE = {
  client_id: '01M8HEHPVX9CY3GEXW8BCZRN0K',
  client_id_issued_at: 1795882015,
  client_secret_expires_at: 0,
  registration_access_token: 'reg_EHrZuN6IB58VjAR8OsqcykZh9y-UXX8wN5HowY4tKPY',
  registration_client_uri: 'http://localhost:3000/api/v1/oauth/register/01M8HEHPVX9CY3GEXW8BCZRN0K',
  application_type: 'web',
  redirect_uris: ['https://app.example.com/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  scope: 'openid profile email',
  client_secret: 'sec_bDfncOA1YKpwVSA0AZ3xAu3lTMGTzwTSuzkbaZEX6FE',
  client_name: 'My Application',
  client_uri: 'https://app.example.com',
  logo_uri: 'https://app.example.com/logo.png',
  contacts: ['admin@example.com'],
};

/**
 * The `201` example of `POST /oauth/register` in the given style: the envelope carries `"code": 201`
 * (the schema's own example says 200, which the read and update responses use).
 */
export function registeredResponseExample(style: RegistrationResponseStyle): object {
  if (style === 'flat') {
    // A client registered at the flat endpoint is managed there (RFC 7592 §3).
    const { client_id: id } = REGISTERED_CLIENT_EXAMPLE;
    return {
      ...REGISTERED_CLIENT_EXAMPLE,
      registration_client_uri: `http://localhost:3000${REGISTRATION_PATHS.flat}/${id}`,
    };
  }
  return {
    code: 201,
    data: REGISTERED_CLIENT_EXAMPLE,
    message: 'Client registered',
    timestamp: '2026-11-28T16:06:55Z',
  };
}
