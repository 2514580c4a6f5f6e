import { requireBearerToken } from '../common/oauth/authorization-header.js';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { JWTPayload } from 'jose';
import { IsNull, type EntityManager, type Repository } from 'typeorm';
import { newUlid } from '../common/crypto/ids.js';
import { ClientsService, type RegisteredClient } from '../client-registration/index.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { nowSeconds } from '../common/crypto/tokens.js';
import { EntityColumns, HotSql } from '../common/database/hot-sql.js';
import { JwtService, JwtVerificationError } from '../keys/index.js';
import { AccessTokenEntity } from './entities/access-token.entity.js';
import { TOKEN_SETTINGS } from './token.constants.js';
import type { TokenSettings } from './token.options.js';
import { TokenUsageRecorder } from './token-usage.recorder.js';

/** RFC 9068 §2.1 media type of JWT access tokens (`typ` header). */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** What an access token is issued for. */
export interface AccessTokenGrant {
  clientId: string;
  /** The resource owner, or null for `client_credentials` (then `sub` is the client_id). */
  userId: string | null;
  /** The grant family (code / refresh chain), or null. */
  familyId: string | null;
  scopes: string[];
  /** RFC 8707 resource indicators; null or empty = the issuer. */
  audience: string[] | null;
  /** OIDC `auth_time` of the user's authentication, when there is a user. */
  authTime?: number;
  /** RFC 9449 §6: thumbprint of the DPoP key the token is bound to (`cnf.jkt`), when bound. */
  dpopJkt?: string;
}

/** A signed access token with the row that records it (inserted by the caller, in its transaction). */
export interface MintedAccessToken {
  token: string;
  expiresIn: number;
  record: AccessTokenEntity;
}

/** An access token that verified and is still active. */
export interface ActiveAccessToken {
  claims: JWTPayload & { client_id: string; scope: string; jti: string; sub: string };
  record: AccessTokenEntity;
  client: RegisteredClient;
}

/**
 * Issues and checks JWT access tokens (RFC 9068). Each token is signed with the server's current key
 * (`typ: at+jwt`) and recorded by `jti`, so that it can be revoked before `exp` (RFC 7009) and so that
 * introspection (RFC 7662) and userinfo see revocations, client deletions and code replays at once.
 */
@Injectable()
export class AccessTokenService {
  constructor(
    @InjectRepository(AccessTokenEntity) private readonly repo: Repository<AccessTokenEntity>,
    private readonly keys: JwtService,
    private readonly clients: ClientsService,
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
    private readonly usage: TokenUsageRecorder,
  ) {
    this.hot = HotSql.of(repo.manager.connection);
    this.columns = new EntityColumns(repo.manager.connection, AccessTokenEntity, 't');
    this.selectByJti = `SELECT ${this.columns.select} FROM \`access_tokens\` t WHERE t.\`jti\` = ?`;
  }

  private readonly hot: HotSql;
  private readonly columns: EntityColumns<AccessTokenEntity>;
  private readonly selectByJti: string;

  /** This server's issuer: the default audience of its access tokens (RFC 9068 §3). */
  get issuer(): string {
    return this.settings.issuer;
  }

  /** Signs an access token for `grant` (RFC 9068 §2.2); the caller stores `record`. */
  async mint(grant: AccessTokenGrant): Promise<MintedAccessToken> {
    const iat = nowSeconds();
    const expiresIn = this.settings.accessTtlSeconds;
    const jti = newUlid();
    const aud = grant.audience?.length
      ? grant.audience.length === 1
        ? grant.audience[0]
        : grant.audience
      : this.settings.issuer;
    const payload: JWTPayload & Record<string, unknown> = {
      iss: this.settings.issuer,
      sub: grant.userId ?? grant.clientId,
      aud,
      client_id: grant.clientId,
      scope: grant.scopes.join(' '),
      iat,
      exp: iat + expiresIn,
      jti,
    };
    if (grant.userId !== null && grant.authTime !== undefined) payload.auth_time = grant.authTime;
    // RFC 9449 §6.1: the confirmation claim names the key whose proofs must accompany the token.
    if (grant.dpopJkt !== undefined) payload.cnf = { jkt: grant.dpopJkt };
    const token = await this.keys.signJwt(payload, { typ: ACCESS_TOKEN_TYP });
    // In memory only; written in batches (the client's usage statistics, reference O39).
    this.usage.record(grant.clientId);
    const record = this.repo.create({
      jti,
      clientId: grant.clientId,
      userId: grant.userId,
      familyId: grant.familyId,
      scopes: grant.scopes,
      issuedAt: iat,
      expiresAt: iat + expiresIn,
      revokedAt: null,
    });
    return { token, expiresIn, record };
  }

  /** Stores the record of a minted token. */
  async save(record: AccessTokenEntity, manager?: EntityManager): Promise<void> {
    // The token endpoint's one write per token: constant SQL, without TypeORM's insert building; in
    // the caller's transaction (code exchange, refresh) through its query runner.
    const params = [
      record.jti,
      record.clientId,
      record.userId,
      record.familyId,
      JSON.stringify(record.scopes),
      record.issuedAt,
      record.expiresAt,
      record.revokedAt,
    ];
    if (manager) await manager.query(INSERT_ACCESS_TOKEN, params);
    else await this.hot.run(INSERT_ACCESS_TOKEN, params);
  }

  /**
   * The token's claims and record when it verifies (signature, `typ`, `iss`, `exp`), is recorded, not
   * revoked, not expired, and its client is still registered; null otherwise. Never throws for a bad
   * token: callers decide how to answer (RFC 7662 §2.2 `active: false`, RFC 6750 §3.1 `invalid_token`).
   * Database failures do throw, so that an outage is a 500, never a wrong "inactive".
   *
   * @param activeCaller a client this request has just read as active (the authenticated caller of
   *   introspection, RFC 7662 §2.1): when the token is that client's, the client is not read again
   *   (one statement fewer per introspection; the state was read from the database by this request).
   */
  async validate(
    token: string,
    activeCaller?: RegisteredClient,
  ): Promise<ActiveAccessToken | null> {
    if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return null;
    let claims: JWTPayload & Record<string, unknown>;
    try {
      claims = await this.keys.verifyJwt(token, { typ: ACCESS_TOKEN_TYP });
    } catch (e) {
      // A bad token is inactive; an outage (keys unreadable) is a server error, not a verdict.
      if (e instanceof JwtVerificationError) return null;
      throw e;
    }
    if (
      typeof claims.jti !== 'string' ||
      typeof claims.client_id !== 'string' ||
      typeof claims.sub !== 'string' ||
      typeof claims.scope !== 'string'
    ) {
      return null;
    }
    const [row] = await this.hot.rows(this.selectByJti, [claims.jti]);
    const record = row ? this.columns.map(row) : null;
    if (!record || record.revokedAt !== null || record.expiresAt <= nowSeconds()) return null;
    // The signed claims and the record must describe the same grant.
    if (record.clientId !== claims.client_id || (record.userId ?? record.clientId) !== claims.sub) {
      return null;
    }
    const client =
      activeCaller?.clientId === record.clientId
        ? activeCaller
        : await this.clients.findActiveById(record.clientId);
    if (!client) return null;
    return { claims: claims as ActiveAccessToken['claims'], record, client };
  }

  /**
   * Authenticates a request to an end-user route by its `Authorization: Bearer` header (RFC 6750 §2.1):
   * the token must be active (see {@link validate}) and issued for a user, not to a client on its own
   * behalf (`client_credentials`). Anything else is 401 `invalid_token` with the Bearer challenge
   * (RFC 6750 §3.1).
   */
  async authenticateUser(
    authorization: string | undefined,
  ): Promise<ActiveAccessToken & { userId: string }> {
    const active = await this.validate(requireBearerToken(authorization));
    if (!active) throw OAuthError.invalidToken('The access token is invalid, expired or revoked');
    // RFC 9449 §7.1: a DPoP-bound token is not a bearer token; used as one, it is refused.
    if (isDpopBound(active.claims)) {
      throw OAuthError.invalidToken('This access token is DPoP-bound and cannot be used as Bearer');
    }
    const userId = active.record.userId;
    if (userId === null) {
      throw OAuthError.invalidToken("This route needs a user's access token, not a client's");
    }
    return { ...active, userId };
  }

  /** Marks one token revoked (RFC 7009 §2.1). */
  async revokeByJti(jti: string): Promise<void> {
    await this.repo.update({ jti, revokedAt: IsNull() }, { revokedAt: nowSeconds() });
  }
}

/** Whether access token claims carry a DPoP binding (RFC 9449 §6.1 `cnf.jkt`). */
const INSERT_ACCESS_TOKEN =
  'INSERT INTO `access_tokens` (`jti`, `client_id`, `user_id`, `family_id`, `scopes`, `issued_at`, ' +
  '`expires_at`, `revoked_at`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

export function isDpopBound(claims: JWTPayload): boolean {
  const cnf = claims.cnf as { jkt?: unknown } | undefined;
  return typeof cnf === 'object' && cnf !== null && typeof cnf.jkt === 'string';
}
