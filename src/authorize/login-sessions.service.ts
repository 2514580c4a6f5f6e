import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { LessThan, type EntityManager, type Repository } from 'typeorm';
import { generateToken, nowSeconds, sha256Hex } from '../common/crypto/tokens.js';
import { SESSION_COOKIE } from './authorize.constants.js';
import { LoginSessionEntity } from './entities/login-session.entity.js';
import { readCookies } from './html/http.js';
import { AUTHORIZE_SETTINGS } from './authorize.constants.js';
import type { AuthorizeSettings } from './authorize.options.js';

/** A live login session. */
export interface LoginSession {
  idHash: string;
  userId: string;
  /** Epoch seconds of the user's last authentication (OIDC Core §2 `auth_time`). */
  authTime: number;
}

/**
 * Browser login sessions at the authorization server. The cookie holds `ses_` + 256 random bits; the
 * database holds only its SHA-256 hash, so a copy of the table cannot be replayed as a cookie. The cookie
 * is HttpOnly, SameSite=Lax, Path=/, and Secure when the issuer is https (RFC 6265bis §8.8, RFC 9700 §4.3).
 */
@Injectable()
export class LoginSessionsService {
  constructor(
    @InjectRepository(LoginSessionEntity) private readonly repo: Repository<LoginSessionEntity>,
    @Inject(AUTHORIZE_SETTINGS) private readonly settings: AuthorizeSettings,
  ) {}

  /** The unexpired session named by the request's cookie, or null. */
  async fromRequest(req: Request): Promise<LoginSession | null> {
    const value = readCookies(req).get(SESSION_COOKIE);
    if (!value || !/^ses_[A-Za-z0-9_-]{43}$/.test(value)) return null;
    const row = await this.repo.findOne({ where: { idHash: sha256Hex(value) } });
    if (!row || row.expiresAt <= nowSeconds()) return null;
    return { idHash: row.idHash, userId: row.userId, authTime: row.authTime };
  }

  /**
   * Starts a session for `userId` and sets the cookie. The browser's previous session, if any, ends:
   * a new login never inherits an old session id (session fixation, OWASP ASVS V3.2.1).
   */
  async start(
    req: Request,
    res: Response,
    userId: string,
    authTime: number,
  ): Promise<LoginSession> {
    const previous = readCookies(req).get(SESSION_COOKIE);
    if (previous) await this.repo.delete({ idHash: sha256Hex(previous) });
    const value = generateToken('ses_');
    const now = nowSeconds();
    const ttl = this.settings.sessionTtlSeconds;
    const row: LoginSessionEntity = {
      idHash: sha256Hex(value),
      userId,
      authTime,
      createdAt: now,
      expiresAt: now + ttl,
    };
    await this.repo.insert(row);
    res.cookie(SESSION_COOKIE, value, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.settings.issuer.startsWith('https:'),
      path: '/',
      maxAge: ttl * 1000,
    });
    return { idHash: row.idHash, userId, authTime };
  }

  /**
   * Ends every login session of a user (GDPR erasure, account lock-out): the next authorization request
   * from any of their browsers asks them to sign in again. Returns how many sessions there were.
   */
  async deleteAllForUser(userId: string, manager?: EntityManager): Promise<number> {
    const res = await (manager ?? this.repo.manager).delete(LoginSessionEntity, { userId });
    return res.affected ?? 0;
  }

  /** Deletes expired sessions (called now and then by the pending-request store). */
  async purgeExpired(now = nowSeconds()): Promise<void> {
    await this.repo.delete({ expiresAt: LessThan(now) });
  }
}
