import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OAuthError } from '../common/errors/oauth-error.js';
import {
  redirectUriProblem,
  validateClientMetadata,
  type ClientMetadataInput,
  type MetadataRules,
} from './client-metadata.validator.js';

const rules: MetadataRules = {
  scopesSupported: ['openid', 'profile', 'email', 'offline_access'],
  defaultScope: 'openid profile',
  allowHttpLoopback: true,
};
const web = { redirect_uris: ['https://app.example.com/cb'] };
const publicJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
  format: 'jwk',
});

function errorOf(input: ClientMetadataInput, r: MetadataRules = rules): OAuthError {
  try {
    validateClientMetadata(input, r);
  } catch (e) {
    if (e instanceof OAuthError) return e;
    throw e;
  }
  throw new Error('expected the metadata to be refused');
}

describe(validateClientMetadata.name, () => {
  it('applies the RFC 7591 §2 defaults to minimal metadata', () => {
    expect(validateClientMetadata(web, rules)).toEqual({
      redirectUris: ['https://app.example.com/cb'],
      tokenEndpointAuthMethod: 'client_secret_basic',
      grantTypes: ['authorization_code'],
      responseTypes: ['code'],
      applicationType: 'web',
      scope: 'openid profile',
      clientName: null,
      clientUri: null,
      logoUri: null,
      policyUri: null,
      tosUri: null,
      contacts: null,
      jwks: null,
      jwksUri: null,
      softwareId: null,
      softwareVersion: null,
      idTokenSignedResponseAlg: null,
      requirePushedAuthorizationRequests: false,
      dpopBoundAccessTokens: false,
      postLogoutRedirectUris: null,
      backchannelLogoutUri: null,
      backchannelLogoutSessionRequired: false,
    });
  });

  it('accepts logout metadata under the redirect URI rules (OIDC RP-Initiated / Back-Channel Logout)', () => {
    const m = validateClientMetadata(
      {
        ...web,
        post_logout_redirect_uris: ['https://app.example.com/bye', 'https://app.example.com/bye'],
        backchannel_logout_uri: 'https://app.example.com/bcl?x=1',
        backchannel_logout_session_required: true,
      },
      rules,
    );
    expect(m.postLogoutRedirectUris).toEqual(['https://app.example.com/bye']);
    expect(m.backchannelLogoutUri).toBe('https://app.example.com/bcl?x=1');
    expect(m.backchannelLogoutSessionRequired).toBe(true);
    for (const bad of [
      'javascript:alert(1)',
      'https://app.example.com/bye#frag',
      'com.example.app:/bye',
      'http://app.example.com/bye',
      'relative/bye',
    ]) {
      expect(() =>
        validateClientMetadata({ ...web, post_logout_redirect_uris: [bad] }, rules),
      ).toThrow(/post_logout_redirect_uris\[0\]/);
    }
    for (const bad of [
      'https://app.example.com/bcl#f',
      'http://app.example.com/bcl',
      'ftp://x.example/',
    ]) {
      expect(() => validateClientMetadata({ ...web, backchannel_logout_uri: bad }, rules)).toThrow(
        /backchannel_logout_uri/,
      );
    }
  });

  it('treats null as absent and keeps every optional field that is set', () => {
    const m = validateClientMetadata(
      {
        ...web,
        client_name: 'Ünïcødé app 🚀',
        client_uri: 'https://app.example.com',
        logo_uri: 'https://app.example.com/logo.png',
        policy_uri: 'https://app.example.com/privacy',
        tos_uri: 'https://app.example.com/tos',
        contacts: ['admin@example.com'],
        software_id: 'my-app',
        software_version: '1.0.0',
        scope: 'openid  email',
        jwks_uri: null,
      },
      rules,
    );
    expect(m).toMatchObject({
      clientName: 'Ünïcødé app 🚀',
      contacts: ['admin@example.com'],
      scope: 'openid email',
      jwksUri: null,
    });
  });

  it('requires redirect_uris for the authorization_code grant (contract minItems 1)', () => {
    const e = errorOf({});
    expect(e.error).toBe('invalid_client_metadata');
    expect(e.description).toMatch(/redirect_uris/);
  });

  it('accepts a client_credentials-only client without redirect URIs or response types', () => {
    const m = validateClientMetadata({ grant_types: ['client_credentials'] }, rules);
    expect(m).toMatchObject({
      redirectUris: [],
      responseTypes: [],
      grantTypes: ['client_credentials'],
    });
  });

  describe('RFC 7591 §3.2.1 replacement of known but unoffered grant and response types', () => {
    const SIX = ['code', 'id_token', 'token', 'code id_token', 'code token', 'code id_token token'];

    it('registers the supported rest of a relying party default request (implicit, hybrid)', () => {
      const m = validateClientMetadata(
        {
          ...web,
          grant_types: ['authorization_code', 'implicit', 'refresh_token'],
          response_types: SIX,
        },
        rules,
      );
      expect(m.grantTypes).toEqual(['authorization_code', 'refresh_token']);
      expect(m.responseTypes).toEqual(['code']);
    });

    it.each([['id_token code'], ['token id_token'], ['id_token token code'], ['token']])(
      'drops the implicit or hybrid response type "%s" in any order when code remains',
      (value) => {
        expect(
          validateClientMetadata({ ...web, response_types: ['code', value] }, rules).responseTypes,
        ).toEqual(['code']);
      },
    );

    it.each([
      ['a malformed response type', { ...web, response_types: ['code', 'code  id_token'] }],
      ['a repeated component', { ...web, response_types: ['code', 'code code'] }],
      ['an unknown response type', { ...web, response_types: ['code', 'code foo'] }],
      ['response type none', { ...web, response_types: ['code', 'none'] }],
      ['a wrongly cased response type', { ...web, response_types: ['code', 'ID_TOKEN'] }],
      ['an unknown grant type', { ...web, grant_types: ['authorization_code', 'urn:x:grant'] }],
      ['the password grant', { ...web, grant_types: ['authorization_code', 'password'] }],
    ])('keeps the 400 for %s even when a supported value is there', (_name, input) => {
      expect(errorOf(input)).toMatchObject({ error: 'invalid_client_metadata', status: 400 });
    });

    it.each([
      ['only implicit', { ...web, grant_types: ['implicit'] }, 'grant_types: "implicit"'],
      [
        'only hybrid response types',
        { ...web, response_types: ['code id_token', 'id_token'] },
        'response_types: "code id_token"',
      ],
    ])('refuses a request of which nothing supported remains: %s', (_name, input, text) => {
      expect(errorOf(input).description).toContain(text);
    });
  });

  it.each([
    [{ ...web, application_type: 'desktop' }, 'application_type'],
    [{ ...web, token_endpoint_auth_method: 'client_secret_jwt' }, 'token_endpoint_auth_method'],
    [{ ...web, grant_types: ['implicit'] }, 'grant_types'],
    [{ ...web, grant_types: ['password'] }, 'grant_types'],
    [{ ...web, grant_types: [] }, 'grant_types'],
    [{ ...web, response_types: ['token'] }, 'response_types'],
    [{ ...web, response_types: ['code id_token'] }, 'response_types'],
    [{ ...web, response_types: [] }, 'response_types'],
    [{ grant_types: ['client_credentials'], response_types: ['code'] }, 'response_types'],
    [{ ...web, grant_types: ['refresh_token'] }, 'refresh_token'],
    [
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'none' },
      'client_credentials',
    ],
    [{ ...web, scope: 'openid admin' }, 'scope'],
    [{ ...web, scope: '   ' }, 'scope'],
    [{ ...web, scope: 'openid '.repeat(200) }, 'scope'],
    [{ ...web, client_name: '' }, 'client_name'],
    [{ ...web, client_name: 'a\u0000b' }, 'client_name'],
    [{ ...web, client_name: 'a\u0085b' }, 'client_name'],
    [{ ...web, client_name: 'line\u2028break' }, 'client_name'],
    [{ ...web, client_name: 'Evil \u202Egnp.exe' }, 'client_name'],
    [{ ...web, client_name: 'isolate \u2067x\u2069' }, 'client_name'],
    [{ ...web, client_name: 'bad \ud800 surrogate' }, 'client_name'],
    [{ ...web, client_name: 'x'.repeat(256) }, 'client_name'],
    [{ ...web, client_uri: 'javascript:alert(1)' }, 'client_uri'],
    [{ ...web, logo_uri: 'data:image/png;base64,AAAA' }, 'logo_uri'],
    [{ ...web, tos_uri: 'not a url' }, 'tos_uri'],
    [{ ...web, policy_uri: 'https://user:pw@example.com/' }, 'policy_uri'],
    [{ ...web, jwks_uri: 'http://keys.example.com/jwks' }, 'jwks_uri'],
    [{ ...web, contacts: Array.from({ length: 21 }, () => 'a@example.com') }, 'contacts'],
    [{ ...web, contacts: [''] }, 'contacts[0]'],
    [{ ...web, token_endpoint_auth_method: 'private_key_jwt' }, 'private_key_jwt'],
    [
      { ...web, jwks: { keys: [publicJwk] }, jwks_uri: 'https://app.example.com/jwks.json' },
      'jwks_uri',
    ],
  ])(
    'refuses invalid metadata with invalid_client_metadata naming the field: %j',
    (input, field) => {
      const e = errorOf(input);
      expect(e.error).toBe('invalid_client_metadata');
      expect(e.status).toBe(400);
      expect(e.description).toContain(field);
    },
  );

  it('accepts a JWK Set as an object or as a JSON string, and stores the object (RFC 7517 §5)', () => {
    const asObject = validateClientMetadata(
      { ...web, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [publicJwk] } },
      rules,
    );
    const asString = validateClientMetadata(
      {
        ...web,
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: JSON.stringify({ keys: [publicJwk] }),
      },
      rules,
    );
    expect(asObject.jwks).toEqual({ keys: [publicJwk] });
    expect(asString.jwks).toEqual(asObject.jwks);
  });

  it.each([
    ['not json', 'not valid JSON'],
    [{ keys: [] }, 'at least one key'],
    [{ nokeys: true }, '"keys" array'],
    [{ keys: ['x'] }, 'keys[0]'],
    [{ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] }, 'private key material'],
    [{ keys: [{ ...publicJwk, d: 'AAAA' }] }, 'private key material'],
    [{ keys: [{ kty: 'EC', crv: 'P-256', x: 'AAAA', y: 'AAAA' }] }, 'not a valid public JWK'],
    [{ keys: [{ ...publicJwk, nested: { deep: true } }] }, 'unsupported value'],
    [{ keys: Array.from({ length: 21 }, () => publicJwk) }, 'at most 20 keys'],
    ['x'.repeat(70_000), 'bytes'],
  ])('refuses a bad jwks (%#): %s', (jwks, why) => {
    const e = errorOf({ ...web, jwks: jwks });
    expect(e.error).toBe('invalid_client_metadata');
    expect(e.description).toContain(why);
  });

  it('refuses bad redirect URIs with invalid_redirect_uri naming the index', () => {
    const e = errorOf({
      redirect_uris: ['https://ok.example.com/cb', 'https://x.example.com/#frag'],
    });
    expect(e.error).toBe('invalid_redirect_uri');
    expect(e.description).toContain('redirect_uris[1]');
  });

  it('refuses more than 20 redirect URIs', () => {
    const uris = Array.from({ length: 21 }, (_, i) => `https://app.example.com/cb${i}`);
    expect(errorOf({ redirect_uris: uris }).description).toContain('redirect_uris');
  });

  it.each(['RS256', 'ES256'])(
    'accepts id_token_signed_response_alg %s (OIDC Registration §2) and keeps it',
    (alg) => {
      expect(
        validateClientMetadata({ ...web, id_token_signed_response_alg: alg }, rules)
          .idTokenSignedResponseAlg,
      ).toBe(alg);
    },
  );

  it('leaves id_token_signed_response_alg unset when omitted or null (the server default applies)', () => {
    expect(validateClientMetadata(web, rules).idTokenSignedResponseAlg).toBeNull();
    expect(
      validateClientMetadata({ ...web, id_token_signed_response_alg: null }, rules)
        .idTokenSignedResponseAlg,
    ).toBeNull();
  });

  it.each<[string, unknown]>([
    ['none (unsigned ID tokens)', 'none'],
    ['HS256 (a symmetric algorithm)', 'HS256'],
    ['an algorithm the server does not sign with', 'PS256'],
    ['a different spelling', 'rs256'],
    ['an empty string', ''],
    ['a number', 256],
    ['an array', ['RS256']],
    ['an object', { alg: 'RS256' }],
    ['a boolean', true],
  ])('refuses id_token_signed_response_alg that is %s with invalid_client_metadata', (_, value) => {
    const e = errorOf({
      ...web,
      id_token_signed_response_alg: value,
    } as unknown as ClientMetadataInput);
    expect(e.error).toBe('invalid_client_metadata');
    expect(e.status).toBe(400);
    expect(e.description).toContain('id_token_signed_response_alg');
  });
});

describe(redirectUriProblem.name, () => {
  const ok = { allowHttpLoopback: true };
  const strict = { allowHttpLoopback: false };
  it.each([
    ['https://app.example.com/cb', 'web'],
    ['https://app.example.com:8443/cb?x=1', 'web'],
    ['http://localhost:3000/cb', 'web'],
    ['http://127.0.0.1:8080/cb', 'native'],
    ['http://[::1]:8080/cb', 'native'],
    ['com.example.app:/oauth2redirect', 'native'],
    ['com.example.app://callback/oauth', 'native'],
    ['https://app.example.com/claimed', 'native'],
  ] as const)('accepts %s for a %s client (RFC 8252 §7)', (uri, type) => {
    expect(redirectUriProblem(uri, type, ok)).toBeNull();
  });

  it.each([
    ['javascript:alert(1)', 'web', 'javascript'],
    ['JavaScript:alert(1)', 'native', 'javascript'],
    ['data:text/html,hi', 'native', 'data'],
    ['vbscript:msgbox', 'native', 'vbscript'],
    ['file:///etc/passwd', 'native', 'file'],
    ['ms-msdt:/id', 'native', '"ms-msdt:"'],
    ['ms-officecmd:x', 'native', '"ms-officecmd:"'],
    ['intent://x/y', 'native', '"intent:"'],
    ['chrome://settings', 'native', '"chrome:"'],
    ['mailto:a@example.com', 'native', '"mailto:"'],
    ['x-apple.systempreferences:x', 'native', '"x-apple.systempreferences:"'],
    // RFC 8252 §7.1: a private-use scheme is a reverse domain name, so it has a period.
    ['cursor://anysphere.cursor-retrieval/oauth/callback', 'native', 'reverse domain name'],
    ['myapp:/cb', 'native', 'reverse domain name'],
    ['com..app:/cb', 'native', 'reverse domain name'],
    ['https://app.example.com/cb#x', 'web', 'fragment'],
    ['https://app.example.com/cb#', 'web', 'fragment'],
    ['/relative/cb', 'web', 'absolute'],
    ['https://user:pass@app.example.com/cb', 'web', 'user information'],
    ['http://app.example.com/cb', 'web', 'https'],
    ['http://app.example.com/cb', 'native', 'loopback'],
    ['com.example.app:/cb', 'web', 'native'],
    ['https://app.example.com/c b', 'web', 'whitespace'],
    ['https://app.exa\nmple.com/cb', 'web', 'control'],
    [`https://app.example.com/${'a'.repeat(2048)}`, 'web', '2048'],
    ['', 'web', 'empty'],
  ] as const)('refuses %j for a %s client', (uri, type, why) => {
    expect(redirectUriProblem(uri, type, ok)).toContain(why);
  });

  // Parsers disagree on these (WHATWG reads `\\` as `/`, encodes non-ASCII, fills in an empty host,
  // rewrites 127.1): the raw string must be RFC 3986 with its host spelt as every parser spells it.
  it.each([
    ['https://app.example.com\\@evil.example/cb', 'characters allowed in a URI'],
    ['https:\\\\evil.example/cb', 'characters allowed in a URI'],
    ['https://bücher.example/cb', 'characters allowed in a URI'],
    ['https://app.example.com/\u202ecb', 'bidirectional control characters'],
    ['https://app.example.com/a|b', 'characters allowed in a URI'],
    ['https://app.example.com/%zz', 'percent-encoding'],
    ['https://app.example.com/cb%', 'percent-encoding'],
    ['https:///cb', 'must name a host'],
    ['https:app.example.com/cb', 'must name a host'],
    ['https://@app.example.com/cb', 'user information'],
    ['http://127.1/cb', 'canonical form (127.0.0.1)'],
    ['http://0x7f.0.0.1/cb', 'canonical form (127.0.0.1)'],
    ['http://2130706433/cb', 'canonical form (127.0.0.1)'],
    ['http://[0:0:0:0:0:0:0:1]/cb', 'canonical form ([::1])'],
    ['https://app%2eexample.com/cb', 'canonical form'],
    ['https://app.example.com:0/cb', 'port 0'],
  ])('refuses %j, which URL parsers read differently', (uri, why) => {
    expect(redirectUriProblem(uri, 'native', ok)).toContain(why);
  });

  it.each([
    'HTTPS://APP.EXAMPLE.COM/cb',
    'https://xn--bcher-kva.example/cb',
    'https://app.example.com:443/cb',
    'https://app.example.com/a%20b?q=%C3%BC',
    'http://[::1]:49152/cb',
  ])('accepts %j (RFC 3986, host in canonical form up to case)', (uri) => {
    expect(redirectUriProblem(uri, 'web', ok)).toBeNull();
  });

  it('refuses http loopback for web clients when the setting forbids it, but not for native ones', () => {
    expect(redirectUriProblem('http://127.0.0.1:3000/cb', 'web', strict)).toContain('disabled');
    expect(redirectUriProblem('http://127.0.0.1:3000/cb', 'native', strict)).toBeNull();
  });
});
