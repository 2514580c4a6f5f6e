import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { OAuthError } from '../common/errors/oauth-error.js';
import { sendOAuthError } from '../common/errors/oauth-exception.filter.js';
import type { RawParams } from './authorization-request.js';
import type {
  AuthorizationResult,
  BrowserRequest,
  CookieChange,
  PageError,
} from './authorization-result.js';
import {
  AUTHORIZE_SETTINGS,
  BINDING_COOKIE,
  cookieName,
  isSecureIssuer,
  LOGIN_HANDLER,
  SESSION_COOKIE,
} from './authorize.constants.js';
import type { AuthorizeSettings, LoginHandler } from './authorize.options.js';
import { setNoStore } from '../common/http/no-store.js';
import { cookiesOf, sendHtml, sendRedirect, wantsJson } from './html/http.js';
import { errorPage } from './html/pages.js';
import { InteractionService } from './interaction.service.js';

/**
 * Sets or removes AuthorizeModule's cookies: the one place that decides their attributes. HttpOnly,
 * SameSite=Lax, Path=/; on an https issuer Secure and the `__Host-` name prefix (RFC 6265bis §4.1.3.2,
 * §8.8; RFC 9700 §4.3).
 */
export function applyCookies(
  res: Response,
  issuer: string,
  changes: readonly CookieChange[] | undefined,
): void {
  for (const change of changes ?? []) {
    const name = cookieName(change.cookie === 'session' ? SESSION_COOKIE : BINDING_COOKIE, issuer);
    const options = {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: isSecureIssuer(issuer),
      path: '/',
    };
    if (change.value === null) {
      res.clearCookie(name, options);
    } else if (change.maxAgeSeconds !== undefined) {
      res.cookie(name, change.value, { ...options, maxAge: change.maxAgeSeconds * 1000 });
    } else {
      res.cookie(name, change.value, options);
    }
  }
}

/**
 * The HTTP side of the authorization flow: reads the {@link BrowserRequest} from Express, and turns an
 * {@link AuthorizationResult} into the response, the only place that does (ADR 0025):
 *
 * - cookies first ({@link applyCookies});
 * - `redirect` and `error` to the client: 302, or 303 after a POST (RFC 9110 §15.4.4), `no-store`;
 * - `consent`, `page` and `error` to the user: an HTML page with `no-store` and the page CSP, or, for a
 *   caller that accepts only JSON, `{error, error_description}` written like every other OAuth error
 *   ({@link sendOAuthError}) and a `page`'s `json` with 200;
 * - `login`: the {@link LoginHandler}'s `start` (GET) or `submit` (POST, with the form body); when it
 *   authenticates the user, the flow continues at once ({@link InteractionService.completeLogin}).
 */
@Injectable()
export class AuthorizationResponder {
  private readonly logger = new Logger('AuthorizationFlowService');

  constructor(
    @Inject(AUTHORIZE_SETTINGS) private readonly settings: AuthorizeSettings,
    @Inject(LOGIN_HANDLER) private readonly loginHandler: LoginHandler,
    private readonly interaction: InteractionService,
  ) {}

  /** What the flow needs of the request: its cookies and the client IP. */
  browserOf(req: Request): BrowserRequest {
    return { cookies: cookiesOf(req), clientIp: req.ip ?? 'unknown' };
  }

  /**
   * Writes `result`. `body` is the posted form of `POST /oauth/login`, for the login handler's `submit`;
   * without it a `login` result goes to `start`.
   */
  async send(
    req: Request,
    res: Response,
    result: AuthorizationResult,
    body?: RawParams,
  ): Promise<void> {
    if (result.kind === 'login') {
      applyCookies(res, this.settings.issuer, result.cookies);
      const outcome = body
        ? await this.loginHandler.submit(result.context, body, req, res)
        : await this.loginHandler.start(result.context, req, res);
      if (outcome.type !== 'authenticated') return;
      const next = await this.interaction.completeLogin(
        result.requestId,
        outcome,
        this.browserOf(req),
      );
      return this.send(req, res, next);
    }
    this.write(req, res, result);
  }

  /** Writes every result but `login` (which needs the login handler: {@link send}). */
  write(req: Request, res: Response, result: AuthorizationResult): void {
    if (res.headersSent) {
      // A login handler wrote part of a response, then failed: nothing more can be said.
      this.logger.error(`Authorization step ended in ${result.kind} after the response started`);
      res.end();
      return;
    }
    applyCookies(res, this.settings.issuer, result.cookies);
    switch (result.kind) {
      case 'redirect':
        return sendRedirect(req, res, result.location);
      case 'consent':
        return sendHtml(res, 200, result.page, { redirectTarget: result.redirectTarget });
      case 'page':
        if (result.json && wantsJson(req)) {
          setNoStore(res);
          res.status(200).json(result.json);
          return;
        }
        return sendHtml(res, 200, result.page, { redirectTarget: result.redirectTarget });
      case 'login':
        throw new Error('A login result needs the login handler: use send()');
      case 'error':
        if (result.to === 'client') return sendRedirect(req, res, result.location);
        return this.showError(req, res, result.error, result.returnLink, result.title);
    }
  }

  /** An error that is not redirected: a page for browsers, `OAuthErrorResponse` for API callers. */
  private showError(
    req: Request,
    res: Response,
    e: PageError,
    returnLink?: { href: string; host: string },
    heading?: string,
  ): void {
    const headers: Record<string, string> = {};
    if (e.retryAfterSeconds !== undefined) headers['Retry-After'] = String(e.retryAfterSeconds);
    if (wantsJson(req)) {
      return sendOAuthError(res, new OAuthError(e.error, e.status, e.description, headers));
    }
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    const title = pageTitle(e.status, heading, returnLink !== undefined);
    sendHtml(
      res,
      e.status,
      errorPage({ title, error: e.error, description: e.description, returnLink }),
    );
  }
}

/**
 * The heading of an error page: the caller's if given (a server error still says so), else by status;
 * a page that offers the client's error URI as a link is always an authorization failure.
 */
function pageTitle(status: number, heading: string | undefined, withReturnLink: boolean): string {
  if (heading) return status >= 500 ? 'Server error' : heading;
  if (withReturnLink) return 'Authorization failed';
  if (status === 403 || status === 429) return 'Request refused';
  return status >= 500 ? 'Server error' : 'Authorization failed';
}
