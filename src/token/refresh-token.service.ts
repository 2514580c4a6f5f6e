import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type EntityManager, type Repository } from 'typeorm';
import { newUlid } from '../common/crypto/ids.js';
import { generateToken, nowSeconds, sha256Hex } from '../common/crypto/tokens.js';
import { AccessTokenEntity } from './entities/access-token.entity.js';
import { RefreshTokenEntity } from './entities/refresh-token.entity.js';
import { TOKEN_SETTINGS } from './token.constants.js';
import type { TokenSettings } from './token.options.js';

/** What a refresh token is issued for. */
export interface RefreshTokenGrant {
  familyId: string;
  clientId: string;
  userId: string;
  scopes: string[];
  audience: string[] | null;
  authTime: number;
  /** The login session the grant began in (OIDC `sid`), null: none. */
  sid?: string | null;
  /** RFC 9449 §5: thumbprint of the DPoP key the token is bound to (public clients), else null. */
  dpopJkt?: string | null;
}

/**
 * Refresh tokens (RFC 6749 §6): `rt_` + 256 random bits, stored only as SHA-256 hashes, rotated on every
 * use (RFC 9700 §4.14.2). Tokens of one grant share a family; presenting a rotated token is taken as
 * theft and ends the whole family, with its access tokens.
 */
@Injectable()
export class RefreshTokenService {
  constructor(
    @InjectRepository(RefreshTokenEntity) private readonly repo: Repository<RefreshTokenEntity>,
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
  ) {}

  /** A new refresh token and its row (stored by the caller, in its transaction). */
  mint(grant: RefreshTokenGrant): { token: string; record: RefreshTokenEntity } {
    const token = generateToken('rt_');
    const now = nowSeconds();
    const record = this.repo.create({
      id: newUlid(),
      tokenHash: sha256Hex(token),
      familyId: grant.familyId,
      clientId: grant.clientId,
      userId: grant.userId,
      scopes: grant.scopes,
      audience: grant.audience?.length ? grant.audience : null,
      authTime: grant.authTime,
      sid: grant.sid ?? null,
      issuedAt: now,
      expiresAt: now + this.settings.refreshTtlSeconds,
      rotatedAt: null,
      replacedBy: null,
      revokedAt: null,
      dpopJkt: grant.dpopJkt ?? null,
    });
    return { token, record };
  }

  async save(record: RefreshTokenEntity, manager?: EntityManager): Promise<void> {
    await (manager ?? this.repo.manager).insert(RefreshTokenEntity, record);
  }

  /** The row of a presented token, whatever its state; null when unknown. */
  async find(token: string): Promise<RefreshTokenEntity | null> {
    if (!token.startsWith('rt_')) return null;
    return this.repo.findOne({ where: { tokenHash: sha256Hex(token) } });
  }

  /**
   * Marks `id` rotated and replaced by `successorId`, only if it is still current: one conditional
   * UPDATE, so that two concurrent uses of one token cannot both rotate it. Returns false when it lost.
   */
  async markRotated(manager: EntityManager, id: string, successorId: string): Promise<boolean> {
    const res = await manager.update(
      RefreshTokenEntity,
      { id, rotatedAt: IsNull(), revokedAt: IsNull() },
      { rotatedAt: nowSeconds(), replacedBy: successorId },
    );
    return (res.affected ?? 0) === 1;
  }

  /** Ends a whole grant: every refresh token of the family and every access token issued from it. */
  async revokeFamily(familyId: string): Promise<void> {
    const now = nowSeconds();
    await this.repo.manager.transaction(async (m) => {
      await m.update(RefreshTokenEntity, { familyId, revokedAt: IsNull() }, { revokedAt: now });
      await m.update(AccessTokenEntity, { familyId, revokedAt: IsNull() }, { revokedAt: now });
    });
  }

  /** Ends every grant of a client (client deleted, RFC 7592 §2.3). */
  async revokeClient(clientId: string): Promise<void> {
    const now = nowSeconds();
    await this.repo.manager.transaction(async (m) => {
      await m.update(RefreshTokenEntity, { clientId, revokedAt: IsNull() }, { revokedAt: now });
      await m.update(AccessTokenEntity, { clientId, revokedAt: IsNull() }, { revokedAt: now });
    });
  }
}
