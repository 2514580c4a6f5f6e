import { createHmac } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, type EntityManager, type Repository } from 'typeorm';
import { generateToken, nowSeconds, sha256Hex } from '../common/crypto/tokens.js';
import type { CookieChange } from './authorization-result.js';
import { AUTHORIZE_SETTINGS, cookieName, SESSION_COOKIE } from './authorize.constants.js';
import type { AuthorizeSettings } from './authorize.options.js';
import { LoginSessionClientEntity } from './entities/login-session-client.entity.js';
import { LoginSessionEntity } from './entities/login-session.entity.js';

/** Removes the session cookie from the browser (sign-out). */
export const CLEAR_SESSION_COOKIE: CookieChange = { cookie: 'session', value: null };

/** A live login session. */
export interface LoginSession {
  idHash: string;
  userId: string;
  /** Epoch seconds of the user's last authentication (OIDC Core §2 `auth_time`). */
  authTime: number;
  /**
   * The public session id (`sid` in ID tokens and logout tokens, OIDC Back-Channel Logout 1.0 §2.1);
   * null for a session started before logout support.
   */
  sid: string | null;
  /** Epoch seconds when the session expires. */
  expiresAt: number;
}

/** What ending a session found: who was signed in and which relying parties were issued codes. */
export interface EndedSession {
  userId: string;
  sid: string | null;
  clientIds: string[];
}

/**
 * Browser login sessions at the authorization server. The cookie holds `ses_` + 256 random bits; the
 * database holds only its SHA-256 hash, so a copy of the table cannot be replayed as a cookie. The cookie
 * is HttpOnly, SameSite=Lax, Path=/, and on an https issuer Secure with the `__Host-` name prefix
 * (RFC 6265bis §4.1.3.2, §8.8; RFC 9700 §4.3). A session ends by deleting its row, so every instance
 * refuses the cookie from then on.
 */
@Injectable()
export class LoginSessionsService {
  constructor(
    @InjectRepository(LoginSessionEntity) private readonly repo: Repository<LoginSessionEntity>,
    @InjectRepository(LoginSessionClientEntity)
    private readonly clients: Repository<LoginSessionClientEntity>,
    @Inject(AUTHORIZE_SETTINGS) private readonly settings: AuthorizeSettings,
  ) {}

  /** The cookie's name on this server (`__Host-authms_session` on https). */
  get cookieName(): string {
    return cookieName(SESSION_COOKIE, this.settings.issuer);
  }

  /** The unexpired session named by the request's cookie (`cookies`: the request's cookies), or null. */
  async fromCookies(cookies: Readonly<Record<string, string>>): Promise<LoginSession | null> {
    const value = this.cookieValue(cookies);
    if (!value) return null;
    const row = await this.repo.findOne({ where: { idHash: sha256Hex(value) } });
    if (!row || row.expiresAt <= nowSeconds()) return null;
    return toSession(row);
  }

  /** The unexpired session with public id `sid`, or null. */
  async findBySid(sid: string): Promise<LoginSession | null> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(sid)) return null;
    const row = await this.repo.findOne({ where: { sid } });
    if (!row || row.expiresAt <= nowSeconds()) return null;
    return toSession(row);
  }

  /**
   * The CSRF token of a form that acts on the browser's session (the sign-out confirmation): HMAC-SHA256
   * of `purpose` keyed with the session cookie, which another site can neither read nor send along with a
   * cross-site POST (SameSite=Lax). Null without a session cookie.
   */
  csrfToken(cookies: Readonly<Record<string, string>>, purpose: string): string | null {
    const value = this.cookieValue(cookies);
    return value ? createHmac('sha256', value).update(`csrf:${purpose}`).digest('base64url') : null;
  }

  /**
   * Starts a session for `userId`; `cookie` is the new session cookie to set. The browser's previous session, if any, ends:
   * a new login never inherits an old session id (session fixation, OWASP ASVS V3.2.1). The public `sid`
   * is kept when the same user signs in again (`prompt=login`, `max_age`), so that relying parties signed
   * in through the old cookie still get their logout token when this session ends. When another user
   * signs in, the previous user's session ends: `replaced` names it, for its logout tokens.
   */
  async start(
    cookies: Readonly<Record<string, string>>,
    userId: string,
    authTime: number,
  ): Promise<LoginSession & { replaced: EndedSession | null; cookie: CookieChange }> {
    const previous = this.cookieValue(cookies);
    let sid: string | null = null;
    let replaced: EndedSession | null = null;
    if (previous) {
      const old = await this.repo.findOne({ where: { idHash: sha256Hex(previous) } });
      if (old && old.userId === userId && old.expiresAt > nowSeconds()) {
        sid = old.sid;
      } else if (old?.sid) {
        const clientIds = (await this.clients.find({ where: { sid: old.sid } })).map(
          (c) => c.clientId,
        );
        await this.clients.delete({ sid: old.sid });
        replaced = { userId: old.userId, sid: old.sid, clientIds };
      }
      await this.repo.delete({ idHash: sha256Hex(previous) });
    }
    const value = generateToken('ses_');
    const now = nowSeconds();
    const ttl = this.settings.sessionTtlSeconds;
    const row: LoginSessionEntity = {
      idHash: sha256Hex(value),
      // 128 random bits: unguessable, and unrelated to the cookie value (it appears in ID tokens).
      sid: sid ?? generateToken('', 16),
      userId,
      authTime,
      createdAt: now,
      expiresAt: now + ttl,
    };
    await this.repo.insert(row);
    if (row.sid) await this.clients.update({ sid: row.sid }, { expiresAt: row.expiresAt });
    const cookie: CookieChange = { cookie: 'session', value, maxAgeSeconds: ttl };
    return { ...toSession(row), replaced, cookie };
  }

  /**
   * Records that `clientId` was issued a code in `session`: it gets a logout token when the session ends
   * (OIDC Back-Channel Logout 1.0 §2.7). Idempotent (insert-or-ignore on the primary key).
   */
  async recordClient(session: LoginSession, clientId: string): Promise<void> {
    if (!session.sid) return;
    await this.clients
      .createQueryBuilder()
      .insert()
      .into(LoginSessionClientEntity)
      .values({
        sid: session.sid,
        clientId,
        userId: session.userId,
        createdAt: nowSeconds(),
        expiresAt: session.expiresAt,
      })
      .orIgnore()
      .updateEntity(false)
      .execute();
  }

  /**
   * Ends `session`: deletes its row (every instance refuses the cookie from now on) and its client list,
   * and returns the relying parties that were signed in through it. The caller clears the cookie
   * ({@link CLEAR_SESSION_COOKIE}).
   */
  async end(session: LoginSession): Promise<EndedSession> {
    const clientIds = session.sid
      ? (await this.clients.find({ where: { sid: session.sid } })).map((c) => c.clientId)
      : [];
    await this.repo.delete({ idHash: session.idHash });
    if (session.sid) await this.clients.delete({ sid: session.sid });
    return { userId: session.userId, sid: session.sid, clientIds };
  }

  /**
   * Ends every login session of a user (GDPR erasure, account lock-out): the next authorization request
   * from any of their browsers asks them to sign in again. Their client lists go too (they name the user).
   * Returns how many sessions there were.
   */
  async deleteAllForUser(userId: string, manager?: EntityManager): Promise<number> {
    const m = manager ?? this.repo.manager;
    const res = await m.delete(LoginSessionEntity, { userId });
    await m.delete(LoginSessionClientEntity, { userId });
    return res.affected ?? 0;
  }

  /** Deletes expired sessions and their client lists (called now and then by the pending-request store). */
  async purgeExpired(now = nowSeconds()): Promise<void> {
    await this.repo.delete({ expiresAt: LessThan(now) });
    await this.clients.delete({ expiresAt: LessThan(now) });
  }

  private cookieValue(cookies: Readonly<Record<string, string>>): string | null {
    const value = cookies[this.cookieName];
    return value && /^ses_[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
  }
}

function toSession(row: LoginSessionEntity): LoginSession {
  return {
    idHash: row.idHash,
    userId: row.userId,
    authTime: row.authTime,
    sid: row.sid ?? null,
    expiresAt: row.expiresAt,
  };
}
