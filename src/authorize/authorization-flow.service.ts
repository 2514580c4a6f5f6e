import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ClientsService } from '../client-registration/index.js';
import { nowSeconds } from '../common/crypto/tokens.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { isDatabaseUnavailable } from '../common/errors/database-unavailable.js';
import {
  AuthorizationCodeService,
  BackchannelLogoutService,
  ResourceIndicatorPolicy,
} from '../token/index.js';
import {
  AuthorizationPageError,
  echoableState,
  readParam,
  resolveClient,
  scopesOfferedTo,
  validateAuthorizationRequest,
  type RawParams,
} from './authorization-request.js';
import {
  AuthorizationRequestsService,
  csrfMatches,
  type PendingAuthorizationRequest,
} from './authorization-requests.service.js';
import { API_PREFIX } from '../common/http/route-prefix.js';
import { CONSENT_PATH, LOGIN_HANDLER, LOGIN_PATH } from './authorize.constants.js';
import type { LoginContext, LoginHandler, LoginOutcome } from './authorize.options.js';
import { ConsentsService } from './consents.service.js';
import { sendHtml, sendRedirect, wantsJson } from './html/http.js';
import { consentPage, errorPage } from './html/pages.js';
import { LoginSessionsService, type LoginSession } from './login-sessions.service.js';
import { resolveRedirectUri, sharesSiteWith } from './redirect-uri.js';
import { UsersService } from '../users/index.js';
import { PushedAuthorizationRequestsService } from './pushed-authorization-requests.service.js';
import { AUTHORIZE_SETTINGS } from './authorize.constants.js';
import type { AuthorizeSettings } from './authorize.options.js';

/**
 * The authorization code flow at the authorization endpoint (RFC 6749 §4.1.1-§4.1.2): validation, the
 * login step (through the {@link LoginHandler}), consent, and the authorization response with `iss`
 * (RFC 9207). Every piece of state is in the database, so the steps can land on different instances.
 */
@Injectable()
export class AuthorizationFlowService {
  private readonly logger = new Logger(AuthorizationFlowService.name);

  constructor(
    @Inject(AUTHORIZE_SETTINGS) private readonly settings: AuthorizeSettings,
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly codes: AuthorizationCodeService,
    private readonly requests: AuthorizationRequestsService,
    private readonly pushed: PushedAuthorizationRequestsService,
    private readonly sessions: LoginSessionsService,
    private readonly consents: ConsentsService,
    @Inject(LOGIN_HANDLER) private readonly loginHandler: LoginHandler,
    private readonly resourcePolicy: ResourceIndicatorPolicy,
    private readonly backchannel: BackchannelLogoutService,
  ) {}

  /** `GET|POST /oauth/authorize`. */
  async authorize(received: RawParams, req: Request, res: Response): Promise<void> {
    let params: RawParams;
    let resolved: Awaited<ReturnType<typeof resolveClient>>;
    const pushed = readParam(received, 'request_uri').present;
    try {
      params = pushed ? await this.redeemPushed(received) : received;
      resolved = await resolveClient(params, (id) => this.clients.findActiveById(id));
    } catch (e) {
      return this.renderFailure(req, res, e);
    }
    const stateForErrors = echoableState(params);
    try {
      // RFC 9126 §5 / §6: the server, or the client's registration, requires pushed requests.
      if (
        !pushed &&
        (this.settings.requirePushedAuthorizationRequests ||
          resolved.client.requirePushedAuthorizationRequests)
      ) {
        throw OAuthError.invalidRequest(
          'This client must push its authorization requests to the pushed authorization request ' +
            'endpoint (RFC 9126) and send the request_uri',
        );
      }
      // `admin` is not a public scope: only a client an operator allowed it may ask for it (issue 8).
      const supported = scopesOfferedTo(resolved.client, this.settings.scopesSupported);
      const v = validateAuthorizationRequest(params, resolved, supported);
      // RFC 8707 §2: a resource this client may not obtain tokens for is invalid_target (redirected).
      this.resourcePolicy.assertAllowed(v.client, v.resources);
      const session = await this.liveSession(req);
      const now = nowSeconds();
      const needLogin =
        session === null ||
        v.prompt.includes('login') ||
        v.prompt.includes('select_account') ||
        (v.maxAge !== null && (v.maxAge === 0 || now - session.authTime > v.maxAge));
      if (needLogin) {
        // OIDC Core §3.1.2.6: prompt=none must not show any page.
        if (v.prompt.includes('none')) {
          throw new OAuthError('login_required', 400, 'The user is not signed in');
        }
        const id = await this.requests.create(req, res, v, null);
        return sendRedirect(req, res, `${API_PREFIX}${LOGIN_PATH}?request=${id}`);
      }
      const needConsent =
        v.prompt.includes('consent') ||
        !(await this.consents.covers(session.userId, v.client.clientId, v.scopes));
      if (needConsent) {
        if (v.prompt.includes('none')) {
          throw new OAuthError('consent_required', 400, 'The user has not approved this request');
        }
        const id = await this.requests.create(req, res, v, session);
        return sendRedirect(req, res, `${API_PREFIX}${CONSENT_PATH}?request=${id}`);
      }
      const code = await this.codes.issue({
        clientId: v.client.clientId,
        userId: session.userId,
        redirectUri: v.redirectUri,
        redirectUriProvided: v.redirectUriProvided,
        scopes: v.scopes,
        nonce: v.nonce ?? undefined,
        codeChallenge: v.codeChallenge ?? undefined,
        codeChallengeMethod: v.codeChallenge ? 'S256' : undefined,
        resources: v.resources,
        authTime: session.authTime,
        sid: session.sid,
      });
      await this.sessions.recordClient(session, v.client.clientId);
      return sendRedirect(
        req,
        res,
        this.responseUri(resolved.redirectUri, { code, state: v.state }),
      );
    } catch (e) {
      // Refusals that must not redirect (too many pending requests from this IP) get a page.
      if (e instanceof AuthorizationPageError) return this.renderFailure(req, res, e);
      // RFC 9700 §4.11.2: with AUTHORIZE_UNTRUSTED_ERROR_PAGE, a self-registered client's error is shown
      // to the user with a plain link, so that this endpoint cannot bounce a browser to the attacker's
      // redirect URI unseen. Registered (trusted) clients keep the redirect of RFC 6749 §4.1.2.1.
      if (this.settings.untrustedErrorPage && resolved.client.selfRegistered) {
        return this.showErrorWithLink(req, res, resolved.redirectUri, e, stateForErrors);
      }
      return this.redirectError(req, res, resolved.redirectUri, e, stateForErrors);
    }
  }

  /**
   * RFC 9126 §4: an authorization request made of `client_id` and a `request_uri` from the PAR endpoint.
   * The pushed parameters replace everything else the browser brought (they were authenticated; the
   * query was not). The request_uri is consumed here, once; an unknown, reused or expired one, or one
   * pushed by another client, is `invalid_request_uri` (RFC 9101 §10.2), shown and never redirected:
   * the redirect URI is in the pushed request, which cannot be trusted then.
   */
  private async redeemPushed(received: RawParams): Promise<RawParams> {
    const uri = readParam(received, 'request_uri');
    const id = readParam(received, 'client_id');
    if (!id.present || !('value' in id) || id.value === '') {
      throw new AuthorizationPageError(
        'invalid_request',
        'The client_id parameter is required with request_uri (RFC 9126 §4).',
      );
    }
    if (!uri.present || !('value' in uri) || uri.value === '') {
      throw new AuthorizationPageError(
        'invalid_request',
        'The request_uri parameter is malformed.',
      );
    }
    const redeemed = await this.pushed.redeem(uri.value, id.value);
    if (!redeemed.ok) {
      throw new AuthorizationPageError(
        'invalid_request_uri',
        redeemed.reason === 'expired'
          ? 'The request_uri has expired. Return to the application and start again.'
          : redeemed.reason === 'wrong_client'
            ? 'The request_uri was not issued to this client.'
            : 'The request_uri is unknown or was already used. Return to the application and start again.',
      );
    }
    return redeemed.params;
  }

  /** `GET /oauth/login?request=…`: hands the login step to the {@link LoginHandler}. */
  async showLogin(requestId: unknown, req: Request, res: Response): Promise<void> {
    const found = await this.requests.find(req, requestId);
    if (!found.ok) return this.refusePending(req, res, found.reason);
    const ctx = await this.loginContext(req, res, found.request, found.csrfToken);
    if (!ctx) return;
    const outcome = await this.loginHandler.start(ctx, req, res);
    if (outcome.type === 'authenticated') {
      await this.completeLogin(found.request.id, outcome, req, res);
    }
  }

  /** `POST /oauth/login`: CSRF check, then the {@link LoginHandler}'s `submit`. */
  async submitLogin(body: RawParams, req: Request, res: Response): Promise<void> {
    const found = await this.requests.find(req, body.request);
    if (!found.ok) return this.refusePending(req, res, found.reason);
    if (!csrfMatches(found.csrfToken, body.csrf_token)) return this.refuseCsrf(req, res);
    const ctx = await this.loginContext(req, res, found.request, found.csrfToken);
    if (!ctx) return;
    const outcome = await this.loginHandler.submit(ctx, body, req, res);
    if (outcome.type === 'authenticated') {
      await this.completeLogin(found.request.id, outcome, req, res);
    }
  }

  /**
   * Finishes the login step of pending request `requestId` for an authenticated user: starts a login
   * session (cookie), then continues with consent or the authorization response. Login handlers that
   * authenticate on their own routes (an upstream IdP callback) call this; the request must have been
   * started by the same browser.
   */
  async completeLogin(
    requestId: string,
    outcome: Extract<LoginOutcome, { type: 'authenticated' }>,
    req: Request,
    res: Response,
  ): Promise<void> {
    const found = await this.requests.find(req, requestId);
    if (!found.ok) return this.refusePending(req, res, found.reason);
    const authTime = outcome.authTime ?? nowSeconds();
    const session = await this.sessions.start(req, res, outcome.userId, authTime);
    // Another user signed in over a live session: that user's relying parties are signed out too
    // (OIDC Back-Channel Logout 1.0 §2.7); bounded wait, never fails the login.
    if (session.replaced) await this.backchannel.notify(session.replaced);
    await this.requests.setUser(requestId, outcome.userId, authTime);
    const pending = { ...found.request, userId: outcome.userId, authTime };
    const needConsent =
      pending.prompt.includes('consent') ||
      !(await this.consents.covers(session.userId, pending.clientId, pending.scopes));
    if (needConsent) {
      return sendRedirect(req, res, `${API_PREFIX}${CONSENT_PATH}?request=${requestId}`);
    }
    return this.finish(pending, session, req, res);
  }

  /** `GET /oauth/consent?request=…`: the consent page. */
  async showConsent(requestId: unknown, req: Request, res: Response): Promise<void> {
    const found = await this.requests.find(req, requestId);
    if (!found.ok) return this.refusePending(req, res, found.reason);
    const pending = found.request;
    const session = await this.sessions.fromRequest(req);
    if (!session || pending.userId === null || session.userId !== pending.userId) {
      // The login step has not happened in this browser (or another user signed in since).
      return sendRedirect(req, res, `${API_PREFIX}${LOGIN_PATH}?request=${pending.id}`);
    }
    const client = await this.clients.findActiveById(pending.clientId);
    if (!client || resolveRedirectUri(client, pending.redirectUri) === null) {
      return this.renderFailure(req, res, clientGone());
    }
    const user = await this.users.findById(session.userId);
    // Self-declared URLs are shown only on the site the user is sent to (issue 7 item 9).
    const onSite = (uri: string | null) => (sharesSiteWith(uri, pending.redirectUri) ? uri : null);
    sendHtml(
      res,
      200,
      consentPage({
        client: {
          clientId: client.clientId,
          clientName: client.clientName,
          logoUri: onSite(client.logoUri),
          clientUri: onSite(client.clientUri),
          policyUri: onSite(client.policyUri),
          tosUri: onSite(client.tosUri),
          selfRegistered: client.selfRegistered,
        },
        requestId: pending.id,
        csrfToken: found.csrfToken,
        scopes: pending.scopes,
        username: user?.username ?? session.userId,
        redirectHost: displayHost(pending.redirectUri),
        resources: pending.resources,
      }),
      { redirectTarget: pending.redirectUri },
    );
  }

  /** `POST /oauth/consent`: Allow (remember, then issue the code) or Deny (`access_denied`). */
  async submitConsent(body: RawParams, req: Request, res: Response): Promise<void> {
    const found = await this.requests.find(req, body.request);
    if (!found.ok) return this.refusePending(req, res, found.reason);
    if (!csrfMatches(found.csrfToken, body.csrf_token)) return this.refuseCsrf(req, res);
    const pending = found.request;
    const session = await this.sessions.fromRequest(req);
    if (!session || pending.userId === null || session.userId !== pending.userId) {
      return this.refuse(req, res, 403, 'access_denied', 'Sign in again to approve this request.');
    }
    const decision = body.decision;
    if (decision !== 'allow' && decision !== 'deny') {
      return this.refuse(req, res, 400, 'invalid_request', 'Choose Allow or Deny.');
    }
    if (decision === 'deny') {
      if (!(await this.requests.consume(pending.id))) {
        return this.refusePending(req, res, 'unknown');
      }
      return this.redirectError(
        req,
        res,
        pending.redirectUri,
        OAuthError.accessDenied('The user denied the request'),
        pending.state,
      );
    }
    await this.consents.grant(pending.userId, pending.clientId, pending.scopes);
    return this.finish(pending, session, req, res);
  }

  /** Issues the code and sends the authorization response (RFC 6749 §4.1.2, RFC 9207 §2). */
  private async finish(
    pending: PendingAuthorizationRequest,
    session: LoginSession,
    req: Request,
    res: Response,
  ): Promise<void> {
    // The client may have been deleted or updated while the user was on the pages: re-check at once.
    const client = await this.clients.findActiveById(pending.clientId);
    if (!client || resolveRedirectUri(client, pending.redirectUri) === null) {
      return this.renderFailure(req, res, clientGone());
    }
    try {
      if (
        !client.grantTypes.includes('authorization_code') ||
        !client.responseTypes.includes('code')
      ) {
        throw OAuthError.unauthorizedClient(
          'The client is no longer registered for the authorization_code grant',
        );
      }
      if (!(await this.requests.consume(pending.id))) {
        return this.refusePending(req, res, 'unknown');
      }
      const code = await this.codes.issue({
        clientId: pending.clientId,
        userId: pending.userId!,
        redirectUri: pending.redirectUri,
        redirectUriProvided: pending.redirectUriProvided,
        scopes: pending.scopes,
        nonce: pending.nonce ?? undefined,
        codeChallenge: pending.codeChallenge ?? undefined,
        codeChallengeMethod: pending.codeChallenge ? 'S256' : undefined,
        resources: pending.resources,
        authTime: pending.authTime ?? nowSeconds(),
        sid: session.sid,
      });
      await this.sessions.recordClient(session, pending.clientId);
      sendRedirect(req, res, this.responseUri(pending.redirectUri, { code, state: pending.state }));
    } catch (e) {
      this.redirectError(req, res, pending.redirectUri, e, pending.state);
    }
  }

  private async loginContext(
    req: Request,
    res: Response,
    pending: PendingAuthorizationRequest,
    csrfToken: string,
  ): Promise<LoginContext | null> {
    const client = await this.clients.findActiveById(pending.clientId);
    if (!client) {
      this.renderFailure(req, res, clientGone());
      return null;
    }
    return {
      requestId: pending.id,
      csrfToken,
      actionUrl: `${API_PREFIX}${LOGIN_PATH}`,
      client: {
        clientId: client.clientId,
        clientName: client.clientName,
        logoUri: sharesSiteWith(client.logoUri, pending.redirectUri) ? client.logoUri : null,
      },
      scopes: pending.scopes,
      redirectUri: pending.redirectUri,
      loginHint: pending.loginHint,
      reauthentication: (await this.sessions.fromRequest(req)) !== null,
    };
  }

  /** The browser's session, unless it is expired or its user no longer exists (then: sign in again). */
  private async liveSession(req: Request): Promise<LoginSession | null> {
    const session = await this.sessions.fromRequest(req);
    if (!session) return null;
    return (await this.users.findById(session.userId)) ? session : null;
  }

  /** `redirect_uri` + `code`/`error`…, `state` and `iss` (RFC 6749 §4.1.2, RFC 9207 §2). */
  private responseUri(redirectUri: string, params: Record<string, string | null>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== null) q.append(k, v);
    q.append('iss', this.settings.issuer);
    // RFC 6749 §3.1.2: keep the registered query component as it is, and append to it.
    return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${q.toString()}`;
  }

  /** An error after the redirect URI is validated goes back to the client (RFC 6749 §4.1.2.1). */
  private redirectError(
    req: Request,
    res: Response,
    redirectUri: string,
    e: unknown,
    state: string | null,
  ): void {
    const err = this.asOAuthError(e);
    sendRedirect(
      req,
      res,
      this.responseUri(redirectUri, {
        error: err.error,
        error_description: err.description ?? null,
        state,
      }),
    );
  }

  /**
   * The error of a self-registered client's request, shown instead of redirected (RFC 9700 §4.11.2 "inform
   * the user"): the page names the error and the host, and offers the error response URI as a plain link
   * the user may follow; API callers get the `OAuthErrorResponse` with the RFC status.
   */
  private showErrorWithLink(
    req: Request,
    res: Response,
    redirectUri: string,
    e: unknown,
    state: string | null,
  ): void {
    const err = this.asOAuthError(e);
    const status = err.status >= 400 && err.status < 600 ? err.status : 400;
    const description = err.description ?? 'The authorization request was refused.';
    if (wantsJson(req)) {
      res.status(status).setHeader('Cache-Control', 'no-store');
      res.json({ error: err.error, error_description: description });
      return;
    }
    const link = this.responseUri(redirectUri, {
      error: err.error,
      error_description: err.description ?? null,
      state,
    });
    sendHtml(
      res,
      status,
      errorPage({
        title: 'Authorization failed',
        error: err.error,
        description,
        returnLink: { href: link, host: displayHost(redirectUri) },
      }),
    );
  }

  private asOAuthError(e: unknown): OAuthError {
    if (e instanceof OAuthError) return e;
    // RFC 6749 §4.1.2.1 names this case: the client may retry later (docs/faults.md).
    if (isDatabaseUnavailable(e)) return OAuthError.temporarilyUnavailable(e);
    this.logger.error('Authorization request failed', e instanceof Error ? e.stack : String(e));
    return OAuthError.serverError(e);
  }

  /** An error that must not redirect: an HTML page for browsers, `OAuthErrorResponse` for API callers. */
  renderFailure(req: Request, res: Response, e: unknown): void {
    if (res.headersSent) {
      this.logger.error('Authorization step failed', e instanceof Error ? e.stack : String(e));
      res.end();
      return;
    }
    if (e instanceof AuthorizationPageError) {
      if (e.retryAfterSeconds !== undefined) {
        res.setHeader('Retry-After', String(e.retryAfterSeconds));
      }
      return this.refuse(req, res, e.status, e.error, e.description);
    }
    if (isDatabaseUnavailable(e)) {
      // docs/faults.md: the database is away; the page says so and when to retry, without a stack.
      res.setHeader('Retry-After', '5');
      return this.refuse(
        req,
        res,
        503,
        'temporarily_unavailable',
        'The server is temporarily unavailable, retry later.',
      );
    }
    this.logger.error('Authorization request failed', e instanceof Error ? e.stack : String(e));
    this.refuse(req, res, 500, 'server_error', 'The server encountered an internal error.');
  }

  private refusePending(req: Request, res: Response, reason: 'unknown' | 'foreign'): void {
    if (reason === 'foreign') {
      return this.refuse(
        req,
        res,
        403,
        'access_denied',
        'This sign-in request was started in another browser. Return to the application and start again.',
      );
    }
    this.refuse(
      req,
      res,
      400,
      'invalid_request',
      'This sign-in request has expired or was already completed. Return to the application and start again.',
    );
  }

  private refuseCsrf(req: Request, res: Response): void {
    this.refuse(
      req,
      res,
      403,
      'access_denied',
      'The form could not be verified (CSRF check failed). Reload the page and try again.',
    );
  }

  private refuse(
    req: Request,
    res: Response,
    status: number,
    error: string,
    description: string,
  ): void {
    if (wantsJson(req)) {
      res.status(status).setHeader('Cache-Control', 'no-store');
      res.json({ error, error_description: description });
      return;
    }
    const title =
      status === 403 || status === 429
        ? 'Request refused'
        : status >= 500
          ? 'Server error'
          : 'Authorization failed';
    sendHtml(res, status, errorPage({ title, error, description }));
  }
}

/**
 * What the user is told about where a redirect URI leads: the host (with a non-default port) of an http(s)
 * URI, or the scheme of a native app's private-use URI.
 */
export function displayHost(redirectUri: string): string {
  try {
    const u = new URL(redirectUri);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.host;
    return `${u.protocol} (an application on this device)`;
  } catch {
    return redirectUri.slice(0, 100);
  }
}

function clientGone(): AuthorizationPageError {
  return new AuthorizationPageError(
    'invalid_client',
    'The client is no longer registered, or its redirect URI has changed.',
  );
}
