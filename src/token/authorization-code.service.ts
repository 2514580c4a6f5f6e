import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { newUlid } from '../common/crypto/ids.js';
import { generateToken, nowSeconds, sha256Hex } from '../common/crypto/tokens.js';
import { EntityColumns, HotSql } from '../common/database/hot-sql.js';
import { AuthorizationCodeEntity } from './entities/authorization-code.entity.js';
import { TokenPurgeService } from './token-purge.service.js';
import { TOKEN_SETTINGS } from './token.constants.js';
import type { TokenSettings } from './token.options.js';

/** What AuthorizeModule knows when it grants a code (RFC 6749 §4.1.2). */
export interface AuthorizationCodeInput {
  clientId: string;
  userId: string;
  /** The redirect URI the code was delivered to. */
  redirectUri: string;
  /** Whether redirect_uri was present in the authorization request (RFC 6749 §4.1.3: then it is required at the token endpoint). */
  redirectUriProvided: boolean;
  /** Granted scope values. */
  scopes: string[];
  /** OIDC Core §3.1.2.1 `nonce`, echoed in the ID token. */
  nonce?: string;
  /** RFC 7636 §4.2 `code_challenge`. */
  codeChallenge?: string;
  /** Only `S256` (RFC 9700 §2.1.1: `plain` is refused at the authorization endpoint). */
  codeChallengeMethod?: 'S256';
  /** RFC 9449 §10 `dpop_jkt`: the DPoP key thumbprint the code is bound to. */
  dpopJkt?: string | null;
  /** RFC 8707 resource indicators of the authorization request; the tokens are limited to them. */
  resources?: string[] | null;
  /** epoch seconds of the user's authentication (OIDC auth_time) */
  authTime: number;
  /** The login session's public id, echoed as the ID token's `sid` (OIDC Back-Channel Logout 1.0 §2.1). */
  sid?: string | null;
}

/** A stored code as the token endpoint sees it. */
export type StoredAuthorizationCode = AuthorizationCodeEntity;

/**
 * Issues and redeems authorization codes (RFC 6749 §4.1.2, §4.1.3). The plain code is returned once;
 * only its SHA-256 hash is stored. A code lives `AUTH_CODE_TTL` seconds and can be consumed once: the
 * consumption is a single conditional UPDATE, so two instances racing on one code cannot both win.
 */
@Injectable()
export class AuthorizationCodeService {
  constructor(
    @InjectRepository(AuthorizationCodeEntity)
    private readonly codes: Repository<AuthorizationCodeEntity>,
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
    private readonly purge: TokenPurgeService,
  ) {
    this.hot = HotSql.of(codes.manager.connection);
    this.columns = new EntityColumns(codes.manager.connection, AuthorizationCodeEntity, 'a');
    this.selectByHash = `SELECT ${this.columns.select} FROM \`authorization_codes\` a WHERE a.\`code_hash\` = ?`;
  }

  /** Stores a new code for `input` and returns the plain code (RFC 6749 §4.1.2: short-lived, single use). */
  async issue(input: AuthorizationCodeInput): Promise<string> {
    if (input.codeChallenge !== undefined && input.codeChallengeMethod !== 'S256') {
      // RFC 9700 §2.1.1: only S256; a code must never be bound to a `plain` challenge.
      throw new Error('Only the S256 code challenge method is supported');
    }
    const code = generateToken('ac_');
    const now = nowSeconds();
    await this.codes.insert({
      codeHash: sha256Hex(code),
      grantId: newUlid(),
      clientId: input.clientId,
      userId: input.userId,
      redirectUri: input.redirectUri,
      redirectUriProvided: input.redirectUriProvided,
      scopes: [...new Set(input.scopes)],
      nonce: input.nonce ?? null,
      codeChallenge: input.codeChallenge ?? null,
      codeChallengeMethod: input.codeChallenge !== undefined ? 'S256' : null,
      dpopJkt: input.dpopJkt ?? null,
      resources: input.resources && input.resources.length > 0 ? input.resources : null,
      authTime: input.authTime,
      sid: input.sid ?? null,
      expiresAt: now + this.settings.authCodeTtlSeconds,
      consumedAt: null,
    });
    this.purge.maybePurge();
    return code;
  }

  /** The stored code for a presented one, consumed or not; null when unknown. */
  async find(code: string): Promise<StoredAuthorizationCode | null> {
    // Constant SQL on the code exchange's hot path (HotSql): the row a findOne would give.
    const [row] = await this.hot.rows(this.selectByHash, [sha256Hex(code)]);
    return row ? this.columns.map(row) : null;
  }

  private readonly hot: HotSql;
  private readonly columns: EntityColumns<AuthorizationCodeEntity>;
  private readonly selectByHash: string;
}
