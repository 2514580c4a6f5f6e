import { schemeCredentials } from '../common/oauth/authorization-header.js';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTPayload,
} from 'jose';
import { QueryFailedError, type Repository } from 'typeorm';
import {
  ClientsService,
  type RegisteredClient,
  type TokenEndpointAuthMethod,
} from '../client-registration/index.js';
import { nowSeconds, sha256Hex } from '../common/crypto/tokens.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import {
  acceptedAssertionAudiences,
  checkAssertionClaims,
  CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS,
} from './client-assertion-claims.js';
import { ClientAssertionJtiEntity } from './entities/client-assertion-jti.entity.js';
import { JwksFetcher } from './jwks-fetcher.service.js';
import type { TokenParams } from './token-params.js';
import { TokenPurgeService } from './token-purge.service.js';
import { CLIENT_ASSERTION_SIGNING_ALGS, TOKEN_SETTINGS } from './token.constants.js';
import type { TokenSettings } from './token.options.js';

/** RFC 7523 §2.2 client assertion type. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * Asymmetric JWS algorithms accepted for client assertions (RFC 7518 §3.1; no `none`, no HMAC): the very
 * list discovery advertises, so what we accept and what we publish cannot drift apart.
 */
export const ASSERTION_ALGORITHMS: string[] = [...CLIENT_ASSERTION_SIGNING_ALGS];

/** The request as client authentication sees it. */
export interface ClientAuthRequest {
  /** The `Authorization` header, if any. */
  authorization: string | undefined;
  params: TokenParams;
  /** Absolute URL of the endpoint being called: an accepted assertion audience (RFC 7523 §3 item 3). */
  endpointUrl: string;
}

/** A client that proved who it is, and how. */
export interface AuthenticatedClient {
  client: RegisteredClient;
  method: TokenEndpointAuthMethod;
}

/**
 * Client authentication at the token, refresh, revocation and introspection endpoints (RFC 6749 §2.3),
 * strictly by the client's registered `token_endpoint_auth_method` (RFC 7591 §2):
 *
 * - `client_secret_basic`: HTTP Basic with the form-urlencoded id and secret (RFC 6749 §2.3.1);
 * - `client_secret_post`: `client_id` + `client_secret` in the body (RFC 6749 §2.3.1);
 * - `private_key_jwt`: a JWT assertion signed with a key of the client's `jwks` / `jwks_uri`
 *   (RFC 7523 §2.2 and §3, OpenID Connect Core §9);
 * - `none`: a public client identifies itself with `client_id` only (RFC 6749 §2.1).
 *
 * Every failure is 401 `invalid_client` (RFC 6749 §5.2), with a Basic challenge when Basic was tried.
 * The client is read from the database on every request, so a deleted client or a changed method takes
 * effect at once.
 */
@Injectable()
export class ClientAuthenticationService {
  private readonly logger = new Logger(ClientAuthenticationService.name);

  constructor(
    private readonly clients: ClientsService,
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
    private readonly jwksFetcher: JwksFetcher,
    @InjectRepository(ClientAssertionJtiEntity)
    private readonly jtis: Repository<ClientAssertionJtiEntity>,
    private readonly purge: TokenPurgeService,
  ) {}

  /** Authenticates the client of `req` or throws 401 `invalid_client`. */
  async authenticate(req: ClientAuthRequest): Promise<AuthenticatedClient> {
    const { params } = req;
    const basic = parseBasic(req.authorization);
    const presented: TokenEndpointAuthMethod[] = [];
    if (basic) presented.push('client_secret_basic');
    if (params.has('client_secret')) presented.push('client_secret_post');
    if (params.has('client_assertion') || params.has('client_assertion_type')) {
      presented.push('private_key_jwt');
    }
    // RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
    if (presented.length > 1) {
      throw OAuthError.invalidClient(
        'More than one client authentication method was used',
        Boolean(basic),
      );
    }
    const method = presented[0] ?? 'none';
    switch (method) {
      case 'client_secret_basic':
        return this.secret(basic!.clientId, basic!.clientSecret, method, params, true);
      case 'client_secret_post':
        return this.secret(
          params.get('client_id'),
          params.require('client_secret'),
          method,
          params,
          false,
        );
      case 'private_key_jwt':
        return this.assertion(req);
      case 'none':
        return this.publicClient(params);
    }
  }

  private async secret(
    clientId: string | undefined,
    secret: string,
    method: 'client_secret_basic' | 'client_secret_post',
    params: TokenParams,
    basic: boolean,
  ): Promise<AuthenticatedClient> {
    if (clientId === undefined) throw OAuthError.invalidClient('client_id is missing', basic);
    // A body client_id beside Basic must name the same client (RFC 6749 §2.3.1).
    const bodyId = params.get('client_id');
    if (basic && bodyId !== undefined && bodyId !== clientId) {
      throw OAuthError.invalidClient('client_id does not match the authenticated client', true);
    }
    // One read for the client and the secret check (both on every token request).
    const found = await this.clients.findActiveWithSecretCheck(clientId, secret);
    if (!found) throw OAuthError.invalidClient('Client authentication failed', basic);
    const { client, check } = found;
    this.requireMethod(client, method, basic);
    if (check === 'expired') {
      // RFC 7591 §3.2.1: the secret is unusable after client_secret_expires_at.
      throw OAuthError.invalidClient('The client secret has expired', basic);
    }
    if (check !== 'valid') throw OAuthError.invalidClient('Client authentication failed', basic);
    return { client, method };
  }

  private async publicClient(params: TokenParams): Promise<AuthenticatedClient> {
    const clientId = params.get('client_id');
    if (clientId === undefined) {
      throw OAuthError.invalidClient('Client authentication is required');
    }
    const client = await this.activeClient(clientId, false);
    this.requireMethod(client, 'none', false);
    return { client, method: 'none' };
  }

  /** RFC 7523 §3 and OpenID Connect Core §9 `private_key_jwt`. */
  private async assertion(req: ClientAuthRequest): Promise<AuthenticatedClient> {
    const { params } = req;
    if (params.get('client_assertion_type') !== JWT_BEARER_ASSERTION) {
      throw OAuthError.invalidClient(`client_assertion_type must be ${JWT_BEARER_ASSERTION}`);
    }
    const assertion = params.get('client_assertion');
    if (assertion === undefined) throw OAuthError.invalidClient('client_assertion is missing');
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(assertion);
      decodeProtectedHeader(assertion);
    } catch {
      throw OAuthError.invalidClient('client_assertion is not a JWT');
    }
    // RFC 7523 §3 items 1-2: iss and sub are both the client_id.
    const clientId = unverified.sub;
    if (typeof clientId !== 'string' || unverified.iss !== clientId) {
      throw OAuthError.invalidClient('client_assertion iss and sub must both be the client_id');
    }
    const bodyId = params.get('client_id');
    if (bodyId !== undefined && bodyId !== clientId) {
      throw OAuthError.invalidClient('client_id does not match the client_assertion');
    }
    const client = await this.activeClient(clientId, false);
    this.requireMethod(client, 'private_key_jwt', false);

    // Claims first (audience, lifetime, jti), so that a refused assertion costs no key fetch.
    const audiences = acceptedAssertionAudiences(this.settings.clientAssertion.audience, {
      issuer: this.settings.issuer,
      tokenEndpoint: this.settings.apiUrl('/oauth/token'),
      endpoint: req.endpointUrl,
    });
    const { exp, jti } = checkAssertionClaims(unverified, {
      audiences,
      maxLifetimeSeconds: this.settings.clientAssertion.maxLifetimeSeconds,
      now: nowSeconds(),
    });
    await this.verifyAssertion(client, assertion);
    // The jti is kept until the assertion has expired (plus leeway): until then a replay is refused.
    await this.rememberJti(clientId, jti, exp + CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS);
    return { client, method: 'private_key_jwt' };
  }

  /** Verifies the signature (and `iss`, `sub`, `exp`) with a key of the client (RFC 7523 §3 item 9). */
  private async verifyAssertion(client: RegisteredClient, assertion: string): Promise<JWTPayload> {
    const options = {
      algorithms: ASSERTION_ALGORITHMS,
      issuer: client.clientId,
      subject: client.clientId,
      clockTolerance: CLIENT_ASSERTION_CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'jti'],
    };
    const verifyWith = async (jwks: JSONWebKeySet) =>
      (await jwtVerify(assertion, createLocalJWKSet(jwks), options)).payload;
    try {
      if (client.jwks) return await verifyWith(client.jwks);
      if (!client.jwksUri) throw OAuthError.invalidClient('The client has no registered keys');
      try {
        return await verifyWith(await this.jwksFetcher.get(client.jwksUri, false, client.clientId));
      } catch (e) {
        // The client may have rotated its keys since the cached copy: fetch once more.
        if (!(e instanceof joseErrors.JWKSNoMatchingKey)) throw e;
        return await verifyWith(await this.jwksFetcher.get(client.jwksUri, true, client.clientId));
      }
    } catch (e) {
      if (e instanceof OAuthError) throw e;
      this.logger.debug(`client_assertion of ${client.clientId} refused: ${String(e)}`);
      throw OAuthError.invalidClient(describeAssertionFailure(e));
    }
  }

  private async rememberJti(clientId: string, jti: string, expiresAt: number): Promise<void> {
    try {
      await this.jtis.insert({ clientId, jtiHash: sha256Hex(jti), expiresAt });
    } catch (e) {
      if (e instanceof QueryFailedError && isUniqueViolation(e as QueryFailedError<Error>)) {
        throw OAuthError.invalidClient('client_assertion jti has already been used');
      }
      throw e;
    }
    this.purge.maybePurge();
  }

  private async activeClient(clientId: string, basic: boolean): Promise<RegisteredClient> {
    const client = await this.clients.findActiveById(clientId);
    if (!client) throw OAuthError.invalidClient('Client authentication failed', basic);
    return client;
  }

  private requireMethod(
    client: RegisteredClient,
    method: TokenEndpointAuthMethod,
    basic: boolean,
  ): void {
    if (client.tokenEndpointAuthMethod !== method) {
      throw OAuthError.invalidClient(
        `The client must authenticate with ${client.tokenEndpointAuthMethod}`,
        basic,
      );
    }
  }
}

/**
 * Decodes `Authorization: Basic` (RFC 7617) into the client id and secret, each form-urlencoded as
 * RFC 6749 §2.3.1 requires. Another scheme returns null; a malformed Basic value is `invalid_client`.
 */
export function parseBasic(
  header: string | undefined,
): { clientId: string; clientSecret: string } | null {
  const credentials = schemeCredentials(header, 'Basic');
  if (credentials === undefined) return null;
  const malformed = () =>
    OAuthError.invalidClient('The Basic authorization header is malformed', true);
  if (credentials === null) throw malformed();
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw malformed();
  try {
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    const clientId = decode(decoded.slice(0, colon));
    const clientSecret = decode(decoded.slice(colon + 1));
    if (!clientId || !clientSecret) throw malformed();
    return { clientId, clientSecret };
  } catch {
    throw malformed();
  }
}

function describeAssertionFailure(e: unknown): string {
  if (e instanceof joseErrors.JWTExpired) return 'client_assertion has expired';
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    return `client_assertion claim ${e.claim} is invalid`;
  }
  if (e instanceof joseErrors.JOSEAlgNotAllowed) {
    return 'client_assertion must be signed with an asymmetric algorithm';
  }
  if (
    e instanceof joseErrors.JWKSNoMatchingKey ||
    e instanceof joseErrors.JWSSignatureVerificationFailed
  ) {
    return 'client_assertion is not signed by a key of the client';
  }
  if (e instanceof joseErrors.JWKSMultipleMatchingKeys) {
    return 'client_assertion names no kid and the client has several keys';
  }
  return 'client_assertion could not be verified';
}

/** SQLite `UNIQUE constraint failed` / `SQLITE_CONSTRAINT_PRIMARYKEY`, MySQL `ER_DUP_ENTRY` (1062). */
export function isUniqueViolation(e: QueryFailedError<Error>): boolean {
  const d = e.driverError as { code?: string; errno?: number } | undefined;
  return (
    d?.code === 'ER_DUP_ENTRY' ||
    d?.errno === 1062 ||
    (typeof d?.code === 'string' && d.code.startsWith('SQLITE_CONSTRAINT'))
  );
}
