import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHmac } from 'node:crypto';
import { IsNull, LessThan, MoreThan, type Repository } from 'typeorm';
import { generateToken, nowSeconds, safeEqual, sha256Hex } from '../common/crypto/tokens.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { RateLimitService } from '../rate-limit/index.js';
import {
  AuthorizationPageError,
  type ValidatedAuthorizationRequest,
} from './authorization-request.js';
import type { BrowserRequest, CookieChange } from './authorization-result.js';
import {
  AUTHORIZATION_REQUEST_TTL_SECONDS,
  BINDING_COOKIE,
  cookieName,
} from './authorize.constants.js';
import { AuthorizationRequestEntity } from './entities/authorization-request.entity.js';
import { LoginSessionsService } from './login-sessions.service.js';
import { AUTHORIZE_SETTINGS } from './authorize.constants.js';
import type { AuthorizeSettings } from './authorize.options.js';

/** A pending request as the login and consent steps see it. */
export type PendingAuthorizationRequest = Omit<AuthorizationRequestEntity, 'bindingHash'>;

/** Why a form post or page request for a pending authorization request is refused. */
export type PendingLookup =
  | { ok: true; request: PendingAuthorizationRequest; csrfToken: string }
  | { ok: false; reason: 'unknown' | 'foreign' };

const BINDING_VALUE = /^[A-Za-z0-9_-]{43}$/;
const REQUEST_ID = /^req_[A-Za-z0-9_-]{32}$/;
/** Expired rows are deleted at most this often per instance. */
const PURGE_INTERVAL_MS = 60_000;

/**
 * Pending authorization requests, kept in the database so that every instance can serve the login and
 * consent steps. Each is bound to the browser that started it by the `authms_binding` cookie (only its
 * hash is stored), and its CSRF token is an HMAC of the request id keyed with that cookie, so a form
 * posted by another browser or another site fails (RFC 6749 §10.12, OWASP "signed double-submit").
 */
@Injectable()
export class AuthorizationRequestsService {
  private readonly logger = new Logger(AuthorizationRequestsService.name);
  private lastPurge = 0;

  constructor(
    @InjectRepository(AuthorizationRequestEntity)
    private readonly repo: Repository<AuthorizationRequestEntity>,
    @Inject(AUTHORIZE_SETTINGS) private readonly settings: AuthorizeSettings,
    private readonly sessions: LoginSessionsService,
    private readonly rateLimits: RateLimitService,
  ) {}

  /**
   * Stores a validated request for the interactive steps; returns its id. Each stored request costs space
   * for {@link AUTHORIZATION_REQUEST_TTL_SECONDS}, so (issue 7 item 7) its variable parts are bounded
   * (`maxRequestBytes`: `invalid_request`, redirected like any other error of the request) and so is the
   * number stored per client IP in that time (`pendingPerIp`, counted in the database across instances:
   * 429 `rate_limit_exceeded` on an error page, with `Retry-After`). `cookie` is the browser-binding
   * cookie to set when the browser had none.
   */
  async create(
    browser: BrowserRequest,
    v: ValidatedAuthorizationRequest,
    user: { userId: string; authTime: number } | null,
  ): Promise<{ id: string; cookie: CookieChange | null }> {
    const size = storedSize(v);
    if (size > this.settings.maxRequestBytes) {
      throw OAuthError.invalidRequest(
        `The authorization request is too large to keep while the user signs in (${size} bytes of ` +
          `state, nonce, redirect_uri, resource, scope and login_hint; at most ${this.settings.maxRequestBytes})`,
      );
    }
    const counted = await this.rateLimits.hit(
      `authz-pending:ip:${browser.clientIp}`,
      this.settings.pendingPerIp,
      AUTHORIZATION_REQUEST_TTL_SECONDS,
    );
    if (!counted.allowed) {
      throw new AuthorizationPageError(
        'rate_limit_exceeded',
        'Too many sign-in requests were started from your network address. Wait a few minutes, then ' +
          'return to the application and try again.',
        429,
        counted.retryAfterSeconds,
      );
    }
    const { binding, cookie } = this.ensureBinding(browser.cookies);
    const id = generateToken('req_', 24);
    const now = nowSeconds();
    await this.repo.insert({
      id,
      bindingHash: sha256Hex(binding),
      clientId: v.client.clientId,
      redirectUri: v.redirectUri,
      redirectUriProvided: v.redirectUriProvided,
      scopes: v.scopes,
      state: v.state,
      nonce: v.nonce,
      codeChallenge: v.codeChallenge,
      dpopJkt: v.dpopJkt,
      resources: v.resources,
      prompt: v.prompt,
      maxAge: v.maxAge,
      loginHint: v.loginHint,
      userId: user?.userId ?? null,
      authTime: user?.authTime ?? null,
      createdAt: now,
      expiresAt: now + AUTHORIZATION_REQUEST_TTL_SECONDS,
      consumedAt: null,
    });
    this.maybePurge(now);
    return { id, cookie };
  }

  /**
   * The live (unexpired, unconsumed) request `id`, if this browser started it, with the CSRF token its
   * forms must carry.
   */
  async find(cookies: Readonly<Record<string, string>>, id: unknown): Promise<PendingLookup> {
    if (typeof id !== 'string' || !REQUEST_ID.test(id)) return { ok: false, reason: 'unknown' };
    const row = await this.repo
      .createQueryBuilder('r')
      .addSelect('r.bindingHash')
      .where('r.id = :id', { id })
      .getOne();
    if (!row || row.consumedAt !== null || row.expiresAt <= nowSeconds()) {
      return { ok: false, reason: 'unknown' };
    }
    const binding = cookies[cookieName(BINDING_COOKIE, this.settings.issuer)];
    if (
      !binding ||
      !BINDING_VALUE.test(binding) ||
      !safeEqual(sha256Hex(binding), row.bindingHash)
    ) {
      return { ok: false, reason: 'foreign' };
    }
    const { bindingHash: _hash, ...request } = row;
    return { ok: true, request, csrfToken: csrfToken(binding, id) };
  }

  /** Records who authenticated for the request. */
  async setUser(id: string, userId: string, authTime: number): Promise<void> {
    await this.repo.update({ id, consumedAt: IsNull() }, { userId, authTime });
  }

  /**
   * Marks the request used, once: a single conditional UPDATE, so a double-submitted consent form or two
   * instances racing cannot both send an authorization response.
   */
  async consume(id: string): Promise<boolean> {
    const now = nowSeconds();
    const result = await this.repo.update(
      { id, consumedAt: IsNull(), expiresAt: MoreThan(now) },
      { consumedAt: now },
    );
    return (result.affected ?? 0) === 1;
  }

  /**
   * The browser-binding cookie: the browser's own, or a new one to set (HttpOnly, SameSite=Lax, Secure
   * and `__Host-` on https: {@link AuthorizationResponseWriter.applyCookies}).
   */
  private ensureBinding(cookies: Readonly<Record<string, string>>): {
    binding: string;
    cookie: CookieChange | null;
  } {
    const existing = cookies[cookieName(BINDING_COOKIE, this.settings.issuer)];
    if (existing && BINDING_VALUE.test(existing)) return { binding: existing, cookie: null };
    const value = generateToken('');
    return { binding: value, cookie: { cookie: 'binding', value } };
  }

  private maybePurge(now: number): void {
    if (Date.now() - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = Date.now();
    void Promise.all([
      this.repo.delete({ expiresAt: LessThan(now) }),
      this.sessions.purgeExpired(now),
    ]).catch((e: unknown) => {
      this.logger.warn(`Purging expired authorization requests failed: ${String(e)}`);
    });
  }
}

/**
 * Bytes of the parts of a pending request whose size the client chooses (UTF-8), i.e. what it costs to
 * store beyond the fixed columns.
 */
export function storedSize(v: ValidatedAuthorizationRequest): number {
  const parts = [
    v.redirectUri,
    v.state ?? '',
    v.nonce ?? '',
    v.loginHint ?? '',
    JSON.stringify(v.scopes),
    JSON.stringify(v.resources ?? []),
  ];
  return parts.reduce((n, p) => n + Buffer.byteLength(p, 'utf8'), 0);
}

/** The CSRF token of a request's forms: HMAC-SHA256 of the request id keyed with the binding cookie. */
export function csrfToken(binding: string, requestId: string): string {
  return createHmac('sha256', binding).update(`csrf:${requestId}`).digest('base64url');
}

/** Constant-time check of a posted CSRF token. */
export function csrfMatches(expected: string, presented: unknown): boolean {
  return typeof presented === 'string' && presented.length > 0 && safeEqual(expected, presented);
}
