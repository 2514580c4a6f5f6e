import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type Repository } from 'typeorm';
import { generateToken, nowSeconds, sha256Hex } from '../common/crypto/tokens.js';
import type { RawParams } from './authorization-request.js';
import { AUTHORIZE_SETTINGS } from './authorize.constants.js';
import type { AuthorizeSettings } from './authorize.options.js';
import { PushedAuthorizationRequestEntity } from './entities/pushed-authorization-request.entity.js';

/** RFC 9126 §2.2: the URN prefix of the request URIs this server issues. */
export const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/** The random reference after the prefix: 256 bits, base64url. */
const REFERENCE = /^[A-Za-z0-9_-]{43}$/;
/** Expired rows are deleted at most this often per instance. */
const PURGE_INTERVAL_MS = 60_000;

/** Why a `request_uri` cannot be redeemed (each is `invalid_request_uri`, RFC 9126 §4 / RFC 9101 §10.2). */
export type RedeemFailure = 'unknown' | 'expired' | 'wrong_client';

/**
 * Pushed authorization requests (RFC 9126): stored by the hash of their random reference, redeemed once
 * (a conditional DELETE decides the single winner, on any instance) before they expire.
 */
@Injectable()
export class PushedAuthorizationRequestsService {
  private readonly logger = new Logger(PushedAuthorizationRequestsService.name);
  private lastPurge = 0;

  constructor(
    @InjectRepository(PushedAuthorizationRequestEntity)
    private readonly repo: Repository<PushedAuthorizationRequestEntity>,
    @Inject(AUTHORIZE_SETTINGS) private readonly settings: AuthorizeSettings,
  ) {}

  /** Stores the validated parameters of `clientId`; returns the RFC 9126 §2.2 response members. */
  async push(
    clientId: string,
    params: Record<string, string | string[]>,
  ): Promise<{ request_uri: string; expires_in: number }> {
    const reference = generateToken('', 32);
    const now = nowSeconds();
    const ttl = this.settings.parRequestUriTtlSeconds;
    await this.repo.insert({
      idHash: sha256Hex(reference),
      clientId,
      params,
      createdAt: now,
      expiresAt: now + ttl,
    });
    this.maybePurge(now);
    return { request_uri: `${REQUEST_URI_PREFIX}${reference}`, expires_in: ttl };
  }

  /**
   * Redeems `requestUri` for `clientId`, once: the stored parameters, or why not. A request URI presented
   * by another client is not consumed (it stays usable by its own client until it expires), and it is
   * refused all the same (RFC 9126 §4: the client_id must match).
   */
  async redeem(
    requestUri: string,
    clientId: string,
  ): Promise<{ ok: true; params: RawParams } | { ok: false; reason: RedeemFailure }> {
    if (!requestUri.startsWith(REQUEST_URI_PREFIX)) return { ok: false, reason: 'unknown' };
    const reference = requestUri.slice(REQUEST_URI_PREFIX.length);
    if (!REFERENCE.test(reference)) return { ok: false, reason: 'unknown' };
    const idHash = sha256Hex(reference);
    const row = await this.repo.findOne({ where: { idHash } });
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.clientId !== clientId) return { ok: false, reason: 'wrong_client' };
    // One DELETE decides: of two redemptions racing (on any instances), only one removes the row.
    const deleted = await this.repo.delete({ idHash });
    if ((deleted.affected ?? 0) !== 1) return { ok: false, reason: 'unknown' };
    if (row.expiresAt <= nowSeconds()) return { ok: false, reason: 'expired' };
    return { ok: true, params: row.params };
  }

  private maybePurge(now: number): void {
    if (Date.now() - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = Date.now();
    this.repo.delete({ expiresAt: LessThan(now) }).catch((e: unknown) => {
      this.logger.warn(`Purging expired pushed authorization requests failed: ${String(e)}`);
    });
  }
}
