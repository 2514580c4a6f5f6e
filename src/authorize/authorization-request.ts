import { parseScopeValue } from '../common/oauth/scope.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { parseResourceIndicators } from '../common/validation/resource.js';
import {
  ADMIN_SCOPE,
  privateUseSchemeProblem,
  type RegisteredClient,
} from '../client-registration/index.js';
import { resolveRedirectUri } from './redirect-uri.js';

/** Raw parameters of an authorization request: the query (GET) or the form / JSON body (POST). */
export type RawParams = Record<string, unknown>;

/**
 * A problem found before the redirect URI is known to be the client's: it is shown to the user on an
 * error page and never redirected (RFC 6749 §4.1.2.1: "MUST NOT automatically redirect").
 */
export class AuthorizationPageError extends Error {
  override name = 'AuthorizationPageError';
  constructor(
    /** RFC 6749 error code, also used by the JSON rendering. */
    readonly error: string,
    readonly description: string,
    readonly status = 400,
    /** Seconds for a `Retry-After` header (RFC 9110 §10.2.3), with status 429. */
    readonly retryAfterSeconds?: number,
  ) {
    super(`${error}: ${description}`);
  }
}

/** An authorization request that passed every check of RFC 6749 §4.1.1, RFC 7636 and OIDC Core §3.1.2. */
export interface ValidatedAuthorizationRequest {
  client: RegisteredClient;
  redirectUri: string;
  redirectUriProvided: boolean;
  state: string | null;
  scopes: string[];
  nonce: string | null;
  codeChallenge: string | null;
  /** RFC 9449 §10 `dpop_jkt`: the DPoP key (JWK SHA-256 thumbprint) the code is to be bound to. */
  dpopJkt: string | null;
  /** RFC 8707 resource indicators (null when none were named). */
  resources: string[] | null;
  /** OIDC Core §3.1.2.1 `prompt` values (empty when absent). */
  prompt: string[];
  maxAge: number | null;
  loginHint: string | null;
}

/** Parameters this endpoint understands; each may appear at most once (RFC 6749 §3.1). */
const KNOWN_PARAMS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'dpop_jkt',
  'response_mode',
  'prompt',
  'max_age',
  'login_hint',
  'request',
  'request_uri',
  'registration',
] as const;

const PROMPT_VALUES = new Set(['none', 'login', 'consent', 'select_account']);
/** RFC 7636 §4.2: 43-128 characters; S256 challenges are base64url without padding. */
const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43,128}$/;
/** RFC 9449 §10, RFC 7638 §3: a JWK SHA-256 thumbprint, base64url without padding. */
const JWK_THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;
const MAX_STATE_LENGTH = 2048;
const MAX_NONCE_LENGTH = 512;
const MAX_LOGIN_HINT_LENGTH = 255;
/** `max_age` larger than this (ten years) is treated as a malformed value. */
const MAX_MAX_AGE = 10 * 365 * 24 * 3600;

type Param = { present: false } | { present: true; value: string } | { present: true; bad: string };

/** One parameter, refusing repetition (RFC 6749 §3.1) and non-string JSON values. */
export function readParam(params: RawParams, name: string): Param {
  const v = params[name];
  if (v === undefined) return { present: false };
  if (Array.isArray(v)) return { present: true, bad: `the ${name} parameter is repeated` };
  if (typeof v !== 'string') {
    return { present: true, bad: `the ${name} parameter must be a string` };
  }
  return { present: true, value: v };
}

function optional(params: RawParams, name: string): string | undefined {
  const p = readParam(params, name);
  if (!p.present) return undefined;
  if ('bad' in p) throw OAuthError.invalidRequest(p.bad);
  // RFC 6749 §3.1: parameters sent without a value are treated as omitted.
  return p.value === '' ? undefined : p.value;
}

/**
 * Step 1 (RFC 6749 §4.1.2.1): identifies the client and the redirect URI. Failures are
 * {@link AuthorizationPageError}s, shown to the user, because the redirect target cannot be trusted yet.
 */
export async function resolveClient(
  params: RawParams,
  findClient: (clientId: string) => Promise<RegisteredClient | null>,
): Promise<{ client: RegisteredClient; redirectUri: string; redirectUriProvided: boolean }> {
  const id = readParam(params, 'client_id');
  if (!id.present || ('value' in id && id.value === '')) {
    throw new AuthorizationPageError('invalid_request', 'The client_id parameter is missing.');
  }
  if ('bad' in id) throw new AuthorizationPageError('invalid_request', `${capitalise(id.bad)}.`);
  const client = await findClient(id.value);
  if (!client) {
    // Unknown and deleted clients look the same (DESIGN.md: reveal nothing about which ids exist).
    throw new AuthorizationPageError(
      'invalid_client',
      'The client is unknown or no longer registered.',
    );
  }
  const ru = readParam(params, 'redirect_uri');
  if (ru.present && 'bad' in ru) {
    throw new AuthorizationPageError('invalid_request', `${capitalise(ru.bad)}.`);
  }
  const requested = ru.present && 'value' in ru && ru.value !== '' ? ru.value : undefined;
  const redirectUri = resolveRedirectUri(client, requested);
  if (redirectUri === null) {
    throw new AuthorizationPageError(
      'invalid_request',
      requested === undefined
        ? 'The redirect_uri parameter is required because the client registered several redirect URIs.'
        : 'The redirect_uri does not match any redirect URI registered for this client.',
    );
  }
  // RFC 8252 §7.1, RFC 9700 §4.11.2: a URI registered before the private-use scheme rules (a dangerous or
  // non-reverse-domain scheme) is not used either; the user is told instead of being sent there.
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(redirectUri)?.[1]?.toLowerCase() ?? '';
  if (scheme !== 'http' && scheme !== 'https' && privateUseSchemeProblem(scheme) !== null) {
    throw new AuthorizationPageError(
      'invalid_request',
      'The redirect_uri uses a scheme this server no longer redirects to; the client must register a new one.',
    );
  }
  return { client, redirectUri, redirectUriProvided: requested !== undefined };
}

/** The `state` to echo in an error redirect: only a single, well-formed value (RFC 6749 §4.1.2.1). */
export function echoableState(params: RawParams): string | null {
  const p = readParam(params, 'state');
  return p.present && 'value' in p && p.value !== '' && p.value.length <= MAX_STATE_LENGTH
    ? p.value
    : null;
}

/**
 * Step 2: every other rule. Failures are {@link OAuthError}s that the caller redirects to the (now
 * validated) redirect URI with `error`, `error_description`, `state` and `iss` (RFC 6749 §4.1.2.1,
 * RFC 9207).
 */
/**
 * The scopes `client` may ask for at `/oauth/authorize` and at the PAR endpoint (RFC 9126 §2.1: a pushed
 * request is checked by the same rules): the server's, plus `admin` for a client an operator allowed it
 * (issue 8; `admin` is never a public scope).
 */
export function scopesOfferedTo(
  client: Pick<RegisteredClient, 'adminAccess'>,
  scopesSupported: readonly string[],
): string[] {
  return client.adminAccess ? [...scopesSupported, ADMIN_SCOPE] : [...scopesSupported];
}

export function validateAuthorizationRequest(
  params: RawParams,
  resolved: { client: RegisteredClient; redirectUri: string; redirectUriProvided: boolean },
  scopesSupported: string[],
): ValidatedAuthorizationRequest {
  const { client } = resolved;
  for (const name of KNOWN_PARAMS) {
    const p = readParam(params, name);
    if (p.present && 'bad' in p) throw OAuthError.invalidRequest(p.bad);
  }
  // OIDC Core §6: request objects are not supported; §7.2.1: nor is the registration parameter.
  if (optional(params, 'request') !== undefined) {
    throw new OAuthError('request_not_supported', 400, 'Request objects are not supported');
  }
  if (optional(params, 'request_uri') !== undefined) {
    throw new OAuthError('request_uri_not_supported', 400, 'request_uri is not supported');
  }
  if (optional(params, 'registration') !== undefined) {
    throw new OAuthError(
      'registration_not_supported',
      400,
      'The registration parameter is not supported',
    );
  }

  const responseType = optional(params, 'response_type');
  if (responseType === undefined) throw OAuthError.invalidRequest('response_type is required');
  // RFC 9700 §2.1.2: the implicit grant and hybrid flows are not offered; only the code flow.
  if (responseType !== 'code') {
    throw OAuthError.unsupportedResponseType(
      'Only response_type=code is supported (implicit and hybrid flows are refused, RFC 9700 §2.1.2)',
    );
  }
  if (!client.responseTypes.includes('code') || !client.grantTypes.includes('authorization_code')) {
    throw OAuthError.unauthorizedClient(
      'The client is not registered for the authorization_code grant and the code response type',
    );
  }
  const responseMode = optional(params, 'response_mode');
  if (responseMode !== undefined && responseMode !== 'query') {
    throw OAuthError.invalidRequest('Only response_mode=query is supported');
  }

  const state = optional(params, 'state') ?? null;
  if (state !== null && state.length > MAX_STATE_LENGTH) {
    throw OAuthError.invalidRequest(`state must be at most ${MAX_STATE_LENGTH} characters`);
  }

  const scopes = parseScopes(optional(params, 'scope'), client, scopesSupported);

  // RFC 7636 §4.3 / RFC 9700 §2.1.1: S256 only; a missing method means `plain`, which is refused.
  const challenge = optional(params, 'code_challenge');
  const method = optional(params, 'code_challenge_method');
  if (challenge === undefined) {
    if (method !== undefined) {
      throw OAuthError.invalidRequest('code_challenge_method was sent without code_challenge');
    }
    // RFC 9700 §2.1.1, OAuth 2.1 §7.5.1: public clients must use PKCE.
    if (client.isPublic) {
      throw OAuthError.invalidRequest(
        'PKCE (code_challenge with S256) is required for public clients',
      );
    }
  } else {
    if (method !== 'S256') {
      throw OAuthError.invalidRequest(
        'code_challenge_method must be S256 (plain is not supported, RFC 9700 §2.1.1)',
      );
    }
    if (!CODE_CHALLENGE.test(challenge)) {
      throw OAuthError.invalidRequest(
        'code_challenge must be 43-128 base64url characters (RFC 7636 §4.2)',
      );
    }
  }

  const dpopJkt = optional(params, 'dpop_jkt') ?? null;
  if (dpopJkt !== null && !JWK_THUMBPRINT.test(dpopJkt)) {
    throw OAuthError.invalidRequest(
      'dpop_jkt must be a JWK SHA-256 thumbprint: 43 base64url characters (RFC 9449 §10, RFC 7638)',
    );
  }

  const nonce = optional(params, 'nonce') ?? null;
  if (nonce !== null && nonce.length > MAX_NONCE_LENGTH) {
    throw OAuthError.invalidRequest(`nonce must be at most ${MAX_NONCE_LENGTH} characters`);
  }

  // RFC 8707 §2: `resource` may be repeated (so it is not in KNOWN_PARAMS); errors are invalid_target.
  const rawResource = params.resource;
  const resources = parseResourceIndicators(
    rawResource === undefined ? [] : Array.isArray(rawResource) ? rawResource : [rawResource],
  );

  const prompt = parsePrompt(optional(params, 'prompt'));
  const maxAgeText = optional(params, 'max_age');
  let maxAge: number | null = null;
  if (maxAgeText !== undefined) {
    if (!/^\d{1,10}$/.test(maxAgeText) || Number(maxAgeText) > MAX_MAX_AGE) {
      throw OAuthError.invalidRequest('max_age must be a non-negative number of seconds');
    }
    maxAge = Number(maxAgeText);
  }
  const loginHint = optional(params, 'login_hint') ?? null;
  if (loginHint !== null && loginHint.length > MAX_LOGIN_HINT_LENGTH) {
    throw OAuthError.invalidRequest(
      `login_hint must be at most ${MAX_LOGIN_HINT_LENGTH} characters`,
    );
  }

  return {
    ...resolved,
    state,
    scopes,
    nonce,
    codeChallenge: challenge ?? null,
    dpopJkt,
    resources,
    prompt,
    maxAge,
    loginHint,
  };
}

/**
 * RFC 6749 §3.3: the requested scope must be within the client's registered scope and the server's
 * supported scopes. When omitted, the default is the client's registered scope without `offline_access`
 * (a long-lived grant is only given when asked for by name, OIDC Core §11).
 */
export function parseScopes(
  scope: string | undefined,
  client: Pick<RegisteredClient, 'scopes'>,
  scopesSupported: string[],
): string[] {
  if (scope === undefined) {
    const fallback = client.scopes.filter(
      (s) => s !== 'offline_access' && scopesSupported.includes(s),
    );
    if (fallback.length === 0) {
      throw OAuthError.invalidScope('No scope was requested and the client has no default scope');
    }
    return fallback;
  }
  const requested = parseScopeValue(scope);
  if (requested === null) {
    throw OAuthError.invalidScope('The scope parameter is malformed (RFC 6749 §3.3)');
  }
  const notAllowed = requested.filter(
    (s) => !client.scopes.includes(s) || !scopesSupported.includes(s),
  );
  if (notAllowed.length > 0) {
    throw OAuthError.invalidScope(
      `Scope not allowed for this client: ${notAllowed.join(' ').slice(0, 200)}`,
    );
  }
  return requested;
}

/** OIDC Core §3.1.2.1 `prompt`: known values only, and `none` alone. */
export function parsePrompt(prompt: string | undefined): string[] {
  if (prompt === undefined) return [];
  const values = [...new Set(prompt.split(' ').filter(Boolean))];
  const unknown = values.find((v) => !PROMPT_VALUES.has(v));
  if (unknown !== undefined) throw OAuthError.invalidRequest('prompt has an unsupported value');
  if (values.includes('none') && values.length > 1) {
    throw OAuthError.invalidRequest('prompt=none cannot be combined with other values');
  }
  return values;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
