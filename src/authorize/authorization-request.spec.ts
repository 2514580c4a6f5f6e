import { describe, expect, it } from 'vitest';
import type { RegisteredClient } from '../client-registration/index.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import {
  AuthorizationPageError,
  parsePrompt,
  parseScopes,
  resolveClient,
  validateAuthorizationRequest,
} from './authorization-request.js';

const client: RegisteredClient = {
  clientId: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
  applicationType: 'web',
  tokenEndpointAuthMethod: 'client_secret_basic',
  redirectUris: ['https://app.example.com/cb'],
  grantTypes: ['authorization_code'],
  responseTypes: ['code'],
  scopes: ['openid', 'profile', 'offline_access'],
  clientName: 'App',
  clientUri: null,
  logoUri: null,
  policyUri: null,
  tosUri: null,
  jwks: null,
  jwksUri: null,
  idTokenSignedResponseAlg: null,
  postLogoutRedirectUris: [],
  backchannelLogoutUri: null,
  backchannelLogoutSessionRequired: false,
  isPublic: false,
  allowedResources: null,
  introspectAnyToken: false,
  lastTokenAt: null,
  selfRegistered: false,
  adminAccess: false,
  requirePushedAuthorizationRequests: false,
  dpopBoundAccessTokens: false,
};
const SUPPORTED = ['openid', 'profile', 'email', 'offline_access'];
const resolved = { client, redirectUri: 'https://app.example.com/cb', redirectUriProvided: true };

function errorOf(fn: () => unknown): OAuthError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OAuthError) return e;
    throw e;
  }
  throw new Error('expected an OAuthError');
}

describe(validateAuthorizationRequest.name, () => {
  const validate = (p: Record<string, unknown>) =>
    validateAuthorizationRequest({ response_type: 'code', ...p }, resolved, SUPPORTED);

  it('keeps RFC 8707 resource indicators, repeated or not, without duplicates', () => {
    expect(validate({}).resources).toBeNull();
    expect(validate({ resource: '' }).resources).toBeNull();
    expect(validate({ resource: 'https://mcp.example.com/mcp' }).resources).toEqual([
      'https://mcp.example.com/mcp',
    ]);
    expect(
      validate({
        resource: ['https://a.example/', 'urn:example:api', 'https://a.example/'],
      }).resources,
    ).toEqual(['https://a.example/', 'urn:example:api']);
  });

  it.each([
    ['/relative'],
    ['https://a.example/#frag'],
    ['https://a.example/\\x'],
    ['https://bücher.example/'],
    ['https://a.example/%zz'],
    [['https://a.example/', 'not a uri']],
  ])('refuses resource %j with invalid_target (RFC 8707 §2)', (resource) => {
    const e = errorOf(() => validate({ resource }));
    expect(e.error).toBe('invalid_target');
  });

  it('refuses a non-string resource and more than ten of them', () => {
    expect(errorOf(() => validate({ resource: { a: 1 } })).error).toBe('invalid_request');
    const many = Array.from({ length: 11 }, (_, i) => `https://r${i}.example/`);
    expect(errorOf(() => validate({ resource: many })).error).toBe('invalid_target');
  });

  it('returns the validated request', () => {
    expect(validate({ scope: 'openid', state: 's', nonce: 'n', max_age: '60' })).toMatchObject({
      scopes: ['openid'],
      state: 's',
      nonce: 'n',
      maxAge: 60,
      prompt: [],
      codeChallenge: null,
    });
  });

  it('treats empty parameters as omitted (RFC 6749 §3.1)', () => {
    expect(validate({ state: '', nonce: '' })).toMatchObject({ state: null, nonce: null });
  });

  it('refuses non-string JSON values as invalid_request', () => {
    expect(errorOf(() => validate({ max_age: 5 })).error).toBe('invalid_request');
  });

  it('refuses an overlong state', () => {
    expect(errorOf(() => validate({ state: 'x'.repeat(2049) })).error).toBe('invalid_request');
  });

  it('refuses registration (registration_not_supported, OIDC Core §7.2.1)', () => {
    expect(errorOf(() => validate({ registration: '{}' })).error).toBe(
      'registration_not_supported',
    );
  });
});

describe(parseScopes.name, () => {
  it('defaults to the registered scope without offline_access (OIDC Core §11)', () => {
    expect(parseScopes(undefined, client, SUPPORTED)).toEqual(['openid', 'profile']);
  });

  it('fails with invalid_scope when there is no default', () => {
    expect(
      errorOf(() => parseScopes(undefined, { scopes: ['offline_access'] }, SUPPORTED)).error,
    ).toBe('invalid_scope');
  });

  it('removes duplicates', () => {
    expect(parseScopes('openid openid profile', client, SUPPORTED)).toEqual(['openid', 'profile']);
  });

  it('refuses extra spaces, as the token endpoint does (RFC 6749 §3.3 scope grammar)', () => {
    for (const scope of ['openid  profile', ' openid', 'openid ', ' ']) {
      expect(errorOf(() => parseScopes(scope, client, SUPPORTED)).error).toBe('invalid_scope');
    }
  });

  it('refuses a scope the client did not register', () => {
    expect(errorOf(() => parseScopes('openid email', client, SUPPORTED)).error).toBe(
      'invalid_scope',
    );
  });

  it('refuses a registered scope the server no longer offers', () => {
    expect(errorOf(() => parseScopes('profile', client, ['openid'])).error).toBe('invalid_scope');
  });
});

describe(parsePrompt.name, () => {
  it('accepts known values', () => {
    expect(parsePrompt('login consent')).toEqual(['login', 'consent']);
  });

  it('refuses none combined with another value (OIDC Core §3.1.2.1)', () => {
    expect(errorOf(() => parsePrompt('none consent')).error).toBe('invalid_request');
  });
});

describe(resolveClient.name, () => {
  const find = (id: string) => Promise.resolve(id === client.clientId ? client : null);

  it('returns the client and the redirect URI', async () => {
    await expect(
      resolveClient(
        { client_id: client.clientId, redirect_uri: 'https://app.example.com/cb' },
        find,
      ),
    ).resolves.toMatchObject({ redirectUriProvided: true });
  });

  it('raises a page error (never a redirect) for an unknown client', async () => {
    await expect(resolveClient({ client_id: 'nope' }, find)).rejects.toBeInstanceOf(
      AuthorizationPageError,
    );
  });

  it('raises a page error for a non-string redirect_uri', async () => {
    await expect(
      resolveClient({ client_id: client.clientId, redirect_uri: { a: 1 } }, find),
    ).rejects.toBeInstanceOf(AuthorizationPageError);
  });
});
