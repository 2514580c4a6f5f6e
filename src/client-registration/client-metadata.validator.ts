import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { OAuthError } from '../common/errors/oauth-error.js';
import { isLoopbackHost } from '../common/oauth/redirect-uri.js';
import { redirectHostAllowed } from '../common/validation/redirect-hosts.js';
import { DANGEROUS_KEYS, isPlainObject, textProblem } from '../common/validation/text.js';
import type { SigningAlg } from '../keys/index.js';
import {
  isTokenEndpointAuthMethod,
  TOKEN_ENDPOINT_AUTH_METHODS,
  type TokenEndpointAuthMethod,
} from '../common/oauth/client-auth-methods.js';
import { GRANT_TYPES } from '../common/oauth/grant-types.js';

/** `application_type` values (OpenID Connect Dynamic Registration §2). */
export const APPLICATION_TYPES = ['web', 'native'] as const;
export type ApplicationType = (typeof APPLICATION_TYPES)[number];

/** Response types a client may register: only `code` (RFC 9700 §2.1.2 rules out implicit and hybrid). */
export const RESPONSE_TYPES = ['code'] as const;

/**
 * Grant types that are defined (RFC 6749 §4.2) but not offered here: a request naming them registers
 * without them when an offered grant type remains (RFC 7591 §3.2.1).
 */
export const KNOWN_UNOFFERED_GRANT_TYPES = ['implicit'] as const;

/** The values response types combine (OIDC Core §3, OAuth 2.0 Multiple Response Type Encoding §3). */
const RESPONSE_TYPE_COMPONENTS = ['code', 'id_token', 'token'] as const;

/**
 * `id_token_signed_response_alg` values a client may register (OpenID Connect Dynamic Registration §2):
 * the asymmetric algorithms the server signs with. `none` and HMAC algorithms are never offered.
 */
export const ID_TOKEN_SIGNING_ALGS = ['RS256', 'ES256'] as const satisfies readonly SigningAlg[];
export type IdTokenSigningAlg = (typeof ID_TOKEN_SIGNING_ALGS)[number];

/** Limits that keep stored metadata and the work done on it bounded. */
export const METADATA_LIMITS = {
  uriLength: 2048,
  textLength: 255,
  redirectUris: 20,
  contacts: 20,
  contactLength: 320,
  scopeLength: 1000,
  jwksBytes: 64 * 1024,
  jwksKeys: 20,
} as const;

/**
 * Client metadata as it arrives on the wire (RFC 7591 §2), after type checks: every field optional.
 * `jwks` may be a JWK Set object or a string holding one (the oauth-service contract types it as a string).
 */
export interface ClientMetadataInput {
  redirect_uris?: string[] | null;
  token_endpoint_auth_method?: string | null;
  grant_types?: string[] | null;
  response_types?: string[] | null;
  application_type?: string | null;
  client_name?: string | null;
  client_uri?: string | null;
  logo_uri?: string | null;
  scope?: string | null;
  contacts?: string[] | null;
  tos_uri?: string | null;
  policy_uri?: string | null;
  jwks_uri?: string | null;
  jwks?: string | Record<string, unknown> | null;
  software_id?: string | null;
  software_version?: string | null;
  id_token_signed_response_alg?: string | null;
  require_pushed_authorization_requests?: boolean | null;
  dpop_bound_access_tokens?: boolean | null;
  post_logout_redirect_uris?: string[] | null;
  backchannel_logout_uri?: string | null;
  backchannel_logout_session_required?: boolean | null;
}

/** A public JWK Set (RFC 7517 §5). */
export interface JwkSet {
  keys: Record<string, unknown>[];
}

/** Validated metadata with every default applied: what is stored and echoed. */
export interface ClientMetadata {
  redirectUris: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  grantTypes: string[];
  responseTypes: string[];
  applicationType: ApplicationType;
  scope: string;
  clientName: string | null;
  clientUri: string | null;
  logoUri: string | null;
  policyUri: string | null;
  tosUri: string | null;
  contacts: string[] | null;
  jwks: JwkSet | null;
  jwksUri: string | null;
  softwareId: string | null;
  softwareVersion: string | null;
  /** The client's ID token algorithm; null: the server default (`TOKEN_ID_ALG`). */
  idTokenSignedResponseAlg: IdTokenSigningAlg | null;
  /** RFC 9126 §6 `require_pushed_authorization_requests` (default false). */
  requirePushedAuthorizationRequests: boolean;
  /** RFC 9449 §5.2 `dpop_bound_access_tokens` (default false). */
  dpopBoundAccessTokens: boolean;
  /** OIDC RP-Initiated Logout 1.0 §3.1; null when none are registered. */
  postLogoutRedirectUris: string[] | null;
  /** OIDC Back-Channel Logout 1.0 §2.2; null when the client takes no logout tokens. */
  backchannelLogoutUri: string | null;
  /** OIDC Back-Channel Logout 1.0 §2.2 (default false). */
  backchannelLogoutSessionRequired: boolean;
}

/**
 * Exactly the {@link ClientMetadata} of a stored client (an entity, a repository row, or a wider view),
 * without its other fields: what registration and administration compare, audit and echo.
 */
export function metadataOf(c: ClientMetadata): ClientMetadata {
  return {
    redirectUris: c.redirectUris,
    tokenEndpointAuthMethod: c.tokenEndpointAuthMethod,
    grantTypes: c.grantTypes,
    responseTypes: c.responseTypes,
    applicationType: c.applicationType,
    scope: c.scope,
    clientName: c.clientName,
    clientUri: c.clientUri,
    logoUri: c.logoUri,
    policyUri: c.policyUri,
    tosUri: c.tosUri,
    contacts: c.contacts,
    jwks: c.jwks,
    jwksUri: c.jwksUri,
    softwareId: c.softwareId,
    softwareVersion: c.softwareVersion,
    idTokenSignedResponseAlg: c.idTokenSignedResponseAlg,
    requirePushedAuthorizationRequests: c.requirePushedAuthorizationRequests,
    dpopBoundAccessTokens: Boolean(c.dpopBoundAccessTokens),
    postLogoutRedirectUris: c.postLogoutRedirectUris ?? null,
    backchannelLogoutUri: c.backchannelLogoutUri ?? null,
    backchannelLogoutSessionRequired: Boolean(c.backchannelLogoutSessionRequired),
  };
}

/** Server settings the rules depend on. */
export interface MetadataRules {
  /** Scopes the server offers (`SCOPES_SUPPORTED`). */
  scopesSupported: readonly string[];
  /** Scope given to a client that registers without one (`REGISTRATION_DEFAULT_SCOPE`). */
  defaultScope: string;
  /** Whether `web` clients may use `http` redirect URIs on loopback hosts. */
  allowHttpLoopback: boolean;
  /**
   * `REGISTRATION_ALLOWED_REDIRECT_HOSTS` (parsed by `parseRedirectHostAllowList`), applied to the http and
   * https redirect URIs of clients that registered without an initial access token; null or omitted:
   * any host.
   */
  allowedRedirectHosts?: readonly string[] | null;
  /**
   * Whether `scope` may contain `admin` (issue 8): only for a client an operator gave admin access; never
   * for registration, even when `SCOPES_SUPPORTED` lists `admin`.
   */
  allowAdminScope?: boolean;
}

/**
 * Schemes a browser must never be sent to as a redirect URI (RFC 6819 §4.2.4, RFC 9700 §4.11.2): they run
 * code or read local data (`javascript`, `data`, `file`…), reach browser internals (`chrome`, `about`,
 * `view-source`…), start other applications with attacker-chosen arguments (`ms-msdt` — CVE-2022-30190 —,
 * `search-ms`, `intent`, `itms-services`, `jnlp`…), or send messages and calls (`mailto`, `tel`, `sms`…).
 * Most have no period and so fail the reverse-domain rule of private-use schemes anyway; the list also
 * names them for the web-client error and keeps the rule if that one is ever relaxed.
 */
export const FORBIDDEN_SCHEMES: ReadonlySet<string> = new Set([
  // Code and local data
  'javascript',
  'vbscript',
  'data',
  'file',
  'blob',
  'filesystem',
  'jar',
  'mhtml',
  'res',
  'resource',
  // Browser internals and extensions
  'about',
  'view-source',
  'chrome',
  'chrome-extension',
  'chrome-search',
  'chrome-untrusted',
  'edge',
  'microsoft-edge',
  'moz-extension',
  'safari-extension',
  'opera',
  'brave',
  // Other protocols a browser hands to the operating system
  'ws',
  'wss',
  'ftp',
  'sftp',
  'smb',
  'nfs',
  'afp',
  'ldap',
  'ldaps',
  'ssh',
  'telnet',
  'gopher',
  'news',
  'nntp',
  'irc',
  'magnet',
  'webcal',
  'jnlp',
  'shell',
  'search',
  'search-ms',
  'intent',
  'android-app',
  'market',
  'itms',
  'itms-apps',
  'itms-services',
  'help',
  // Messages and calls
  'mailto',
  'tel',
  'sms',
  'smsto',
  'mms',
  'callto',
  'facetime',
  'facetime-audio',
  'skype',
  'sip',
  'sips',
]);

/**
 * Scheme families refused by prefix: Windows protocol handlers (`ms-msdt`, `ms-officecmd`,
 * `ms-settings`, `ms-word`… have been used to run code from a link) and Apple's `x-apple.` system panes,
 * which do contain a period.
 */
const FORBIDDEN_SCHEME_PREFIXES = ['ms-', 'x-apple.', 'x-apple-'];

/**
 * RFC 8252 §7.1: a private-use scheme is a domain name the app's publisher controls, in reverse order
 * (`com.example.app`), so it contains at least one period; each label is letters, digits and hyphens.
 */
const REVERSE_DOMAIN_SCHEME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/;

/** Whether a browser must never be sent to `scheme` (lower case, without the colon). */
export function isForbiddenScheme(scheme: string): boolean {
  const s = scheme.toLowerCase();
  return FORBIDDEN_SCHEMES.has(s) || FORBIDDEN_SCHEME_PREFIXES.some((p) => s.startsWith(p));
}

/**
 * Why `scheme` (not http/https) is not an acceptable private-use scheme for a native client's redirect URI,
 * or `null`: never a {@link isForbiddenScheme} one, and a reverse domain name with a period (RFC 8252 §7.1).
 * The authorize endpoint applies it again to stored URIs, so clients registered before the rule cannot
 * use one either.
 */
export function privateUseSchemeProblem(scheme: string): string | null {
  const s = scheme.toLowerCase();
  if (isForbiddenScheme(s)) return `must not use the "${s}:" scheme`;
  if (!REVERSE_DOMAIN_SCHEME.test(s)) {
    return (
      `must use a private-use scheme that is a reverse domain name with a period, such as ` +
      `com.example.app (RFC 8252 §7.1), not "${s.slice(0, 64)}:"`
    );
  }
  return null;
}

/** RFC 3986 §3.1 scheme syntax, followed by `:`. */
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** RFC 3986 §2: the characters a URI may contain (unreserved, reserved and `%`). */
const URI_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;

/**
 * Why `uri` is not RFC 3986 syntax that every parser reads alike, or `null`. Checked on the raw string,
 * because URLs are compared character for character and WHATWG parsers are lenient where others are
 * not: a backslash is read as `/` (`https://a.example\@evil.example`), non-ASCII is silently encoded,
 * `https:///x` gets the host `x` and `127.1` or `0x7f.1` become `127.0.0.1`.
 */
function uriSyntaxProblem(uri: string, url: URL): string | null {
  if (!URI_CHARS.test(uri)) {
    return 'must contain only characters allowed in a URI (RFC 3986 §2: ASCII, percent-encode the rest, no backslash)';
  }
  if (/%(?![0-9A-Fa-f]{2})/.test(uri)) return 'has a malformed percent-encoding (RFC 3986 §2.1)';
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    const authority = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(uri)?.[1];
    if (!authority) return 'must name a host';
    if (authority.includes('@')) return 'must not contain user information';
    const written = authority.replace(/:\d*$/, '');
    if (written.toLowerCase() !== url.hostname) {
      return `must spell its host in canonical form (${url.hostname})`;
    }
    if (url.port === '0') return 'must not use port 0';
  }
  return null;
}

/**
 * Why `uri` is not an acceptable redirect URI for a client of `applicationType`, or `null` if it is.
 * Pure and synchronous so the authorize endpoint can reuse it. Rules: RFC 6749 §3.1.2 (absolute, no
 * fragment), RFC 6819 §4.2.4 / RFC 9700 §4.1 (no code-running schemes, no userinfo), OpenID Connect
 * Registration §2 and RFC 8252 §7 (`web`: https, or http on loopback when allowed; `native`: loopback http,
 * claimed https or a private-use scheme).
 */
export function redirectUriProblem(
  uri: string,
  applicationType: ApplicationType,
  rules: Pick<MetadataRules, 'allowHttpLoopback'>,
): string | null {
  const text = textProblem(uri);
  if (text) return text;
  if (uri.length > METADATA_LIMITS.uriLength) {
    return `must be at most ${METADATA_LIMITS.uriLength} characters`;
  }
  if (/\s/.test(uri)) return 'must not contain whitespace';
  if (uri.includes('#')) return 'must not contain a fragment (RFC 6749 §3.1.2)';
  const scheme = SCHEME.exec(uri)?.[1]?.toLowerCase();
  if (!scheme) return 'must be an absolute URI with a scheme (RFC 6749 §3.1.2)';
  if (isForbiddenScheme(scheme)) return `must not use the "${scheme}:" scheme`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'is not a valid URI';
  }
  if (url.username || url.password) return 'must not contain user information';
  const syntax = uriSyntaxProblem(uri, url);
  if (syntax) return syntax;
  if (scheme === 'https') {
    return url.hostname ? null : 'must name a host';
  }
  if (scheme === 'http') {
    if (!url.hostname) return 'must name a host';
    if (!isLoopbackHost(url.hostname)) {
      return 'must use https (http is allowed only on loopback hosts)';
    }
    if (applicationType === 'web' && !rules.allowHttpLoopback) {
      return 'must use https (http on loopback is disabled for web clients)';
    }
    return null;
  }
  // A private-use scheme (RFC 8252 §7.1) belongs to a native app, never to a web client.
  if (applicationType === 'web') {
    return 'must use https for a web client (private-use schemes are for native clients)';
  }
  return privateUseSchemeProblem(scheme);
}

/**
 * Why an http(s) redirect URI's host is not on the allow-list of open registration
 * (`REGISTRATION_ALLOWED_REDIRECT_HOSTS`, RFC 9700 §4.11.2: fewer hosts an error redirect can reach), or null.
 */
function redirectHostProblem(
  uri: string,
  allowList: readonly string[] | null | undefined,
): string | null {
  if (!allowList) return null;
  const url = new URL(uri);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return redirectHostAllowed(url.hostname, allowList)
    ? null
    : `host "${url.hostname}" is not allowed for clients that register themselves (REGISTRATION_ALLOWED_REDIRECT_HOSTS)`;
}

/** Why `uri` is not an acceptable informational or key-set URL (http or https, absolute, sane). */
function webUrlProblem(uri: string, httpsOnly: boolean, allowHttpLoopback: boolean): string | null {
  const text = textProblem(uri);
  if (text) return text;
  if (uri.length > METADATA_LIMITS.uriLength) {
    return `must be at most ${METADATA_LIMITS.uriLength} characters`;
  }
  if (/\s/.test(uri)) return 'must not contain whitespace';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (!url.hostname) return 'must name a host';
  if (url.username || url.password) return 'must not contain user information';
  const syntax = uriSyntaxProblem(uri, url);
  if (syntax) return syntax;
  if (
    httpsOnly &&
    url.protocol === 'http:' &&
    !(allowHttpLoopback && isLoopbackHost(url.hostname))
  ) {
    return 'must use https';
  }
  return null;
}

/** JWK members that carry private or symmetric key material (RFC 7518 §6.2.2, §6.3.2, §6.4.1). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** Parses and checks a JWK Set: object or JSON string, public keys only, each one importable. */
function parseJwks(value: string | Record<string, unknown>): JwkSet {
  const bad = (why: string) => OAuthError.invalidClientMetadata(`jwks ${why}`);
  let doc: unknown = value;
  if (typeof value === 'string') {
    if (Buffer.byteLength(value, 'utf8') > METADATA_LIMITS.jwksBytes) {
      throw bad(`must be at most ${METADATA_LIMITS.jwksBytes} bytes`);
    }
    try {
      doc = JSON.parse(value);
    } catch {
      throw bad('must be a JWK Set: the string is not valid JSON');
    }
  }
  if (!isPlainObject(doc) || !Array.isArray(doc.keys)) {
    throw bad('must be a JWK Set object with a "keys" array (RFC 7517 §5)');
  }
  const keys: unknown[] = doc.keys;
  if (keys.length === 0) throw bad('must contain at least one key');
  if (keys.length > METADATA_LIMITS.jwksKeys) {
    throw bad(`must contain at most ${METADATA_LIMITS.jwksKeys} keys`);
  }
  const out: Record<string, unknown>[] = keys.map((key, i) => {
    if (!isPlainObject(key)) throw bad(`keys[${i}] must be a JSON object`);
    const copy: Record<string, unknown> = {};
    for (const [member, v] of Object.entries(key)) {
      if (DANGEROUS_KEYS.has(member)) throw bad(`keys[${i}] has a forbidden member "${member}"`);
      if (PRIVATE_JWK_MEMBERS.includes(member)) {
        throw bad(`keys[${i}] must be a public key: member "${member}" is private key material`);
      }
      // JWK members are strings, numbers, booleans or arrays of strings (x5c, key_ops): this also
      // bounds the nesting depth of what is stored.
      const flat =
        typeof v === 'string' ||
        typeof v === 'number' ||
        typeof v === 'boolean' ||
        (Array.isArray(v) && v.every((x) => typeof x === 'string'));
      if (!flat) throw bad(`keys[${i}].${member} has an unsupported value`);
      copy[member] = v;
    }
    if (copy.kty !== 'RSA' && copy.kty !== 'EC' && copy.kty !== 'OKP') {
      throw bad(`keys[${i}].kty must be RSA, EC or OKP`);
    }
    try {
      createPublicKey({ key: copy as JsonWebKey, format: 'jwk' });
    } catch {
      throw bad(`keys[${i}] is not a valid public JWK`);
    }
    return copy;
  });
  const set: JwkSet = { keys: out };
  if (Buffer.byteLength(JSON.stringify(set), 'utf8') > METADATA_LIMITS.jwksBytes) {
    throw bad(`must be at most ${METADATA_LIMITS.jwksBytes} bytes`);
  }
  return set;
}

function optionalText(field: string, value: string | null | undefined, max: number): string | null {
  if (value === undefined || value === null) return null;
  const problem = textProblem(value);
  if (problem) throw OAuthError.invalidClientMetadata(`${field} ${problem}`);
  if (value.length > max) {
    throw OAuthError.invalidClientMetadata(`${field} must be at most ${max} characters`);
  }
  return value;
}

function optionalUrl(
  field: string,
  value: string | null | undefined,
  httpsOnly: boolean,
  rules: MetadataRules,
): string | null {
  if (value === undefined || value === null) return null;
  const problem = webUrlProblem(value, httpsOnly, rules.allowHttpLoopback);
  if (problem) throw OAuthError.invalidClientMetadata(`${field} ${problem}`);
  return value;
}

function uniq(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * RFC 7591 §3.2.1 ("the authorization server MAY replace any of the client's requested metadata
 * values"): the requested values this server offers, after dropping those that are `known` but not
 * offered. An unknown or malformed value is 400 `invalid_client_metadata`, and so is a request of which
 * nothing offered remains: replacement narrows a request, it never invents one.
 */
function offeredSubset(
  field: string,
  requested: readonly string[],
  offered: readonly string[],
  known: (value: string) => boolean,
  supported: string,
): string[] {
  const kept = requested.filter((v) => offered.includes(v));
  const refused = requested.filter((v) => !offered.includes(v));
  const unknown = refused.find((v) => !known(v));
  const first = unknown ?? (kept.length === 0 ? refused[0] : undefined);
  if (first !== undefined) {
    throw OAuthError.invalidClientMetadata(
      `${field}: "${first.slice(0, 64)}" is not supported (${supported})`,
    );
  }
  return kept;
}

/**
 * A well-formed implicit or hybrid response type (OIDC Core §3.2, §3.3; OAuth 2.0 Multiple Response
 * Type Encoding Practices §3): distinct values from `code`, `id_token` and `token`, separated by single
 * spaces in any order, other than `code` alone.
 */
function isImplicitOrHybridResponseType(value: string): boolean {
  const parts = value.split(' ');
  return (
    value !== 'code' &&
    parts.every((p) => (RESPONSE_TYPE_COMPONENTS as readonly string[]).includes(p)) &&
    new Set(parts).size === parts.length
  );
}

/**
 * Validates client metadata as a whole and applies the defaults of RFC 7591 §2: the one rule set for
 * registration (RFC 7591 §3.1), update (RFC 7592 §2.2, where omitted fields are reset) and, through
 * {@link redirectUriProblem}, the authorize endpoint. Throws `invalid_redirect_uri` for redirect URI
 * problems and `invalid_client_metadata` (naming the field) for everything else (RFC 7591 §3.2.2).
 * Unknown fields never reach it: they are ignored upstream (RFC 7591 §2).
 */
export function validateClientMetadata(
  input: ClientMetadataInput,
  rules: MetadataRules,
): ClientMetadata {
  const applicationType = (input.application_type ?? 'web') as ApplicationType;
  if (!APPLICATION_TYPES.includes(applicationType)) {
    throw OAuthError.invalidClientMetadata('application_type must be "web" or "native"');
  }

  const method = (input.token_endpoint_auth_method ??
    'client_secret_basic') as TokenEndpointAuthMethod;
  if (!isTokenEndpointAuthMethod(method)) {
    throw OAuthError.invalidClientMetadata(
      `token_endpoint_auth_method must be one of ${TOKEN_ENDPOINT_AUTH_METHODS.join(', ')}`,
    );
  }

  // RFC 7591 §2: grant_types defaults to authorization_code. RFC 7591 §3.2.1: values that are known but
  // not offered here (implicit) are replaced by the supported rest, which is what gets registered.
  const grantTypes = offeredSubset(
    'grant_types',
    uniq(input.grant_types ?? ['authorization_code']),
    GRANT_TYPES,
    (g) => (KNOWN_UNOFFERED_GRANT_TYPES as readonly string[]).includes(g),
    `supported: ${GRANT_TYPES.join(', ')}`,
  );
  if (grantTypes.length === 0) {
    throw OAuthError.invalidClientMetadata('grant_types must not be empty');
  }
  const hasCode = grantTypes.includes('authorization_code');

  // RFC 7591 §2: response_types defaults to code; a client without the authorization_code grant has
  // no use for a response type (§2.1), so its default is empty. Implicit and hybrid response types
  // (OIDC Core §3.2, §3.3) are known but not offered (RFC 9700 §2.1.2): dropped as grant types are.
  const requestedResponseTypes = input.response_types ?? (hasCode ? ['code'] : []);
  const responseTypes = offeredSubset(
    'response_types',
    uniq(requestedResponseTypes),
    RESPONSE_TYPES,
    isImplicitOrHybridResponseType,
    'only "code" is (RFC 9700 §2.1.2)',
  );
  // RFC 7591 §2.1: response type "code" goes with grant type "authorization_code" and vice versa.
  if (responseTypes.includes('code') && !hasCode) {
    throw OAuthError.invalidClientMetadata(
      'response_types "code" requires grant_types to include "authorization_code" (RFC 7591 §2.1)',
    );
  }
  if (hasCode && !responseTypes.includes('code')) {
    throw OAuthError.invalidClientMetadata(
      'grant_types "authorization_code" requires response_types to include "code" (RFC 7591 §2.1)',
    );
  }
  if (grantTypes.includes('refresh_token') && grantTypes.length === 1) {
    throw OAuthError.invalidClientMetadata(
      'grant_types "refresh_token" needs another grant type that issues refresh tokens',
    );
  }
  // RFC 6749 §4.4: client credentials are for confidential clients only.
  if (grantTypes.includes('client_credentials') && method === 'none') {
    throw OAuthError.invalidClientMetadata(
      'grant_types "client_credentials" requires a confidential token_endpoint_auth_method, not "none"',
    );
  }

  const redirectUris = uniq(input.redirect_uris ?? []);
  if (redirectUris.length > METADATA_LIMITS.redirectUris) {
    throw OAuthError.invalidClientMetadata(
      `redirect_uris must have at most ${METADATA_LIMITS.redirectUris} items`,
    );
  }
  redirectUris.forEach((uri, i) => {
    const problem =
      redirectUriProblem(uri, applicationType, rules) ??
      redirectHostProblem(uri, rules.allowedRedirectHosts);
    if (problem) throw OAuthError.invalidRedirectUri(`redirect_uris[${i}] ${problem}`);
  });
  // RFC 6749 §3.1.2.2 (and the contract's minItems 1): a code flow needs a registered redirect URI.
  if (hasCode && redirectUris.length === 0) {
    throw OAuthError.invalidClientMetadata(
      'redirect_uris is required (at least one) for the authorization_code grant',
    );
  }

  let scope = rules.defaultScope;
  if (input.scope !== undefined && input.scope !== null) {
    if (input.scope.length > METADATA_LIMITS.scopeLength) {
      throw OAuthError.invalidClientMetadata(
        `scope must be at most ${METADATA_LIMITS.scopeLength} characters`,
      );
    }
    const values = uniq(input.scope.split(' ').filter(Boolean));
    if (values.length === 0) throw OAuthError.invalidClientMetadata('scope must not be empty');
    if (values.includes('admin') && !rules.allowAdminScope) {
      throw OAuthError.invalidClientMetadata(
        'scope admin is reserved for clients an operator creates with admin access',
      );
    }
    const unknown = values.filter(
      (s) => !rules.scopesSupported.includes(s) && !(s === 'admin' && rules.allowAdminScope),
    );
    if (unknown.length > 0) {
      throw OAuthError.invalidClientMetadata(
        `scope contains values the server does not offer: ${unknown
          .slice(0, 5)
          .map((s) => s.slice(0, 64))
          .join(' ')}`,
      );
    }
    scope = values.join(' ');
  }

  let contacts: string[] | null = null;
  if (input.contacts !== undefined && input.contacts !== null) {
    if (input.contacts.length > METADATA_LIMITS.contacts) {
      throw OAuthError.invalidClientMetadata(
        `contacts must have at most ${METADATA_LIMITS.contacts} items`,
      );
    }
    contacts = input.contacts.map(
      (c, i) => optionalText(`contacts[${i}]`, c, METADATA_LIMITS.contactLength) as string,
    );
  }

  const jwksUri = optionalUrl('jwks_uri', input.jwks_uri, true, rules);
  const jwks = input.jwks === undefined || input.jwks === null ? null : parseJwks(input.jwks);
  // RFC 7591 §2: jwks_uri and jwks MUST NOT both be present.
  if (jwks && jwksUri) {
    throw OAuthError.invalidClientMetadata(
      'jwks and jwks_uri must not both be present (RFC 7591 §2)',
    );
  }
  // RFC 7523 §2.2: private_key_jwt needs the client's public keys.
  if (method === 'private_key_jwt' && !jwks && !jwksUri) {
    throw OAuthError.invalidClientMetadata(
      'token_endpoint_auth_method "private_key_jwt" requires jwks or jwks_uri',
    );
  }

  return {
    redirectUris,
    tokenEndpointAuthMethod: method,
    grantTypes,
    responseTypes,
    applicationType,
    scope,
    clientName: optionalText('client_name', input.client_name, METADATA_LIMITS.textLength),
    clientUri: optionalUrl('client_uri', input.client_uri, false, rules),
    logoUri: optionalUrl('logo_uri', input.logo_uri, false, rules),
    policyUri: optionalUrl('policy_uri', input.policy_uri, false, rules),
    tosUri: optionalUrl('tos_uri', input.tos_uri, false, rules),
    contacts,
    jwks,
    jwksUri,
    softwareId: optionalText('software_id', input.software_id, METADATA_LIMITS.textLength),
    softwareVersion: optionalText(
      'software_version',
      input.software_version,
      METADATA_LIMITS.textLength,
    ),
    idTokenSignedResponseAlg: idTokenAlg(input.id_token_signed_response_alg),
    requirePushedAuthorizationRequests: requirePar(input.require_pushed_authorization_requests),
    dpopBoundAccessTokens: optionalFlag('dpop_bound_access_tokens', input.dpop_bound_access_tokens),
    postLogoutRedirectUris: postLogoutRedirectUris(
      input.post_logout_redirect_uris,
      applicationType,
      rules,
    ),
    backchannelLogoutUri: backchannelLogoutUri(input.backchannel_logout_uri, rules),
    backchannelLogoutSessionRequired: input.backchannel_logout_session_required ?? false,
  };
}

/**
 * OIDC RP-Initiated Logout 1.0 §3.1 `post_logout_redirect_uris`: the browser is sent there after
 * sign-out, so each one follows the redirect URI rules of the client's application type
 * ({@link redirectUriProblem}: absolute, no fragment, no dangerous scheme, https for web clients). Null
 * when omitted or empty.
 */
function postLogoutRedirectUris(
  value: string[] | null | undefined,
  applicationType: ApplicationType,
  rules: MetadataRules,
): string[] | null {
  if (value === undefined || value === null) return null;
  const uris = uniq(value);
  if (uris.length > METADATA_LIMITS.redirectUris) {
    throw OAuthError.invalidClientMetadata(
      `post_logout_redirect_uris must have at most ${METADATA_LIMITS.redirectUris} items`,
    );
  }
  uris.forEach((uri, i) => {
    const problem = redirectUriProblem(uri, applicationType, rules);
    if (problem) {
      throw OAuthError.invalidClientMetadata(`post_logout_redirect_uris[${i}] ${problem}`);
    }
  });
  return uris.length > 0 ? uris : null;
}

/**
 * OIDC Back-Channel Logout 1.0 §2.2 `backchannel_logout_uri`: an absolute https URL (http only on loopback
 * hosts while `REGISTRATION_ALLOW_HTTP_LOOPBACK` allows it, as for `jwks_uri`), which MUST NOT contain a
 * fragment and MAY contain a query. Where the server may actually connect is decided at delivery time
 * by the SSRF guard.
 */
function backchannelLogoutUri(
  value: string | null | undefined,
  rules: MetadataRules,
): string | null {
  if (value === undefined || value === null) return null;
  if (value.includes('#')) {
    throw OAuthError.invalidClientMetadata(
      'backchannel_logout_uri must not contain a fragment (OIDC Back-Channel Logout 1.0 §2.2)',
    );
  }
  return optionalUrl('backchannel_logout_uri', value, true, rules);
}

/**
 * OpenID Connect Dynamic Registration §2 `id_token_signed_response_alg`: one of
 * {@link ID_TOKEN_SIGNING_ALGS}, or null when omitted (the server default then applies).
 */
function idTokenAlg(value: unknown): IdTokenSigningAlg | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !(ID_TOKEN_SIGNING_ALGS as readonly string[]).includes(value)) {
    throw OAuthError.invalidClientMetadata(
      `id_token_signed_response_alg must be one of ${ID_TOKEN_SIGNING_ALGS.join(', ')}`,
    );
  }
  return value as IdTokenSigningAlg;
}

/** A boolean metadata value that is false when omitted (RFC 9449 §5.2 `dpop_bound_access_tokens`). */
function optionalFlag(name: string, value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') {
    throw OAuthError.invalidClientMetadata(`${name} must be a boolean`);
  }
  return value;
}

/** RFC 9126 §6 `require_pushed_authorization_requests`: a boolean, false when omitted. */
function requirePar(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') {
    throw OAuthError.invalidClientMetadata(
      'require_pushed_authorization_requests must be a boolean',
    );
  }
  return value;
}
