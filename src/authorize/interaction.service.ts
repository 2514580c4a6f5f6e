import { Injectable, Logger } from '@nestjs/common';
import { ClientsService } from '../client-registration/index.js';
import { nowSeconds } from '../common/crypto/tokens.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { BackchannelLogoutService } from '../token/index.js';
import { UsersService } from '../users/index.js';
import type { RawParams } from './authorization-request.js';
import {
  AuthorizationRequestsService,
  csrfMatches,
  type PendingAuthorizationRequest,
} from './authorization-requests.service.js';
import { AuthorizationResponsesService } from './authorization-responses.service.js';
import {
  clientGone,
  csrfRefused,
  failurePage,
  pendingRefused,
  showError,
  type AuthorizationResult,
  type BrowserRequest,
  type CookieChange,
} from './authorization-result.js';
import { API_PREFIX } from '../common/http/route-prefix.js';
import { CONSENT_PATH, LOGIN_PATH } from './authorize.constants.js';
import type { LoginOutcome } from './authorize.options.js';
import { ConsentsService } from './consents.service.js';
import { consentPage } from './html/pages.js';
import {
  LoginSessionsService,
  type EndedSession,
  type LoginSession,
} from './login-sessions.service.js';
import { displayHost, resolveRedirectUri, sharesSiteWith } from './redirect-uri.js';

/**
 * The interactive steps of a pending authorization request: the login step (handed to the
 * {@link LoginHandler} through a `login` result), the session it starts, the consent page and its
 * answer, and the authorization response at the end (RFC 6749 §4.1.2). Each step finds the pending
 * request by id and checks it was started by this browser (the binding cookie); each form post is
 * CSRF-checked. Returns {@link AuthorizationResult}s; it never sees the HTTP request.
 */
@Injectable()
export class InteractionService {
  private readonly logger = new Logger('AuthorizationFlowService');

  constructor(
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly requests: AuthorizationRequestsService,
    private readonly sessions: LoginSessionsService,
    private readonly consents: ConsentsService,
    private readonly backchannel: BackchannelLogoutService,
    private readonly responses: AuthorizationResponsesService,
  ) {}

  /** `GET /oauth/login?request=…`: the login step of the request, for the {@link LoginHandler}'s `start`. */
  async login(requestId: unknown, browser: BrowserRequest): Promise<AuthorizationResult> {
    const found = await this.requests.find(browser.cookies, requestId);
    if (!found.ok) return pendingRefused(found.reason);
    return this.loginStep(found.request, found.csrfToken, browser);
  }

  /** `POST /oauth/login`: CSRF check, then the login step for the {@link LoginHandler}'s `submit`. */
  async loginSubmitted(body: RawParams, browser: BrowserRequest): Promise<AuthorizationResult> {
    const found = await this.requests.find(browser.cookies, body.request);
    if (!found.ok) return pendingRefused(found.reason);
    if (!csrfMatches(found.csrfToken, body.csrf_token)) return csrfRefused();
    return this.loginStep(found.request, found.csrfToken, browser);
  }

  /**
   * Finishes the login step of pending request `requestId` for an authenticated user: starts a login
   * session (its cookie is in the result), then continues with consent or the authorization response.
   */
  async completeLogin(
    requestId: string,
    outcome: Extract<LoginOutcome, { type: 'authenticated' }>,
    browser: BrowserRequest,
  ): Promise<AuthorizationResult> {
    const found = await this.requests.find(browser.cookies, requestId);
    if (!found.ok) return pendingRefused(found.reason);
    const authTime = outcome.authTime ?? nowSeconds();
    const session = await this.sessions.start(browser.cookies, outcome.userId, authTime);
    const cookies: CookieChange[] = [session.cookie];
    try {
      return {
        ...(await this.afterLogin(found.request, session, outcome.userId, authTime)),
        cookies,
      };
    } catch (e) {
      // The session exists from now on: its cookie goes with the error page too.
      return { ...failurePage(e, this.logger), cookies };
    }
  }

  /** Consent, or the authorization response, for the user who just signed in. */
  private async afterLogin(
    request: PendingAuthorizationRequest,
    session: LoginSession & { replaced: EndedSession | null },
    userId: string,
    authTime: number,
  ): Promise<AuthorizationResult> {
    const requestId = request.id;
    // Another user signed in over a live session: that user's relying parties are signed out too
    // (OIDC Back-Channel Logout 1.0 §2.7); bounded wait, never fails the login.
    if (session.replaced) await this.backchannel.notify(session.replaced);
    await this.requests.setUser(requestId, userId, authTime);
    const pending = { ...request, userId, authTime };
    const needConsent =
      pending.prompt.includes('consent') ||
      !(await this.consents.covers(session.userId, pending.clientId, pending.scopes));
    if (needConsent) {
      return { kind: 'redirect', location: `${API_PREFIX}${CONSENT_PATH}?request=${requestId}` };
    }
    return this.finish(pending, session);
  }

  /** `GET /oauth/consent?request=…`: the consent page. */
  async consent(requestId: unknown, browser: BrowserRequest): Promise<AuthorizationResult> {
    const found = await this.requests.find(browser.cookies, requestId);
    if (!found.ok) return pendingRefused(found.reason);
    const pending = found.request;
    const session = await this.sessions.fromCookies(browser.cookies);
    if (!session || pending.userId === null || session.userId !== pending.userId) {
      // The login step has not happened in this browser (or another user signed in since).
      return { kind: 'redirect', location: `${API_PREFIX}${LOGIN_PATH}?request=${pending.id}` };
    }
    const client = await this.clients.findActiveById(pending.clientId);
    if (!client || resolveRedirectUri(client, pending.redirectUri) === null) return clientGone();
    const user = await this.users.findById(session.userId);
    // Self-declared URLs are shown only on the site the user is sent to (issue 7 item 9).
    const onSite = (uri: string | null) => (sharesSiteWith(uri, pending.redirectUri) ? uri : null);
    return {
      kind: 'consent',
      redirectTarget: pending.redirectUri,
      page: consentPage({
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
    };
  }

  /** `POST /oauth/consent`: Allow (remember, then issue the code) or Deny (`access_denied`). */
  async consentSubmitted(body: RawParams, browser: BrowserRequest): Promise<AuthorizationResult> {
    const found = await this.requests.find(browser.cookies, body.request);
    if (!found.ok) return pendingRefused(found.reason);
    if (!csrfMatches(found.csrfToken, body.csrf_token)) return csrfRefused();
    const pending = found.request;
    const session = await this.sessions.fromCookies(browser.cookies);
    if (!session || pending.userId === null || session.userId !== pending.userId) {
      return showError('access_denied', 'Sign in again to approve this request.', 403);
    }
    const decision = body.decision;
    if (decision !== 'allow' && decision !== 'deny') {
      return showError('invalid_request', 'Choose Allow or Deny.');
    }
    if (decision === 'deny') {
      if (!(await this.requests.consume(pending.id))) return pendingRefused('unknown');
      return this.responses.error(
        pending.redirectUri,
        OAuthError.accessDenied('The user denied the request'),
        pending.state,
      );
    }
    await this.consents.grant(pending.userId, pending.clientId, pending.scopes);
    return this.finish(pending, session);
  }

  /** Issues the code and sends the authorization response (RFC 6749 §4.1.2, RFC 9207 §2). */
  private async finish(
    pending: PendingAuthorizationRequest,
    session: LoginSession,
  ): Promise<AuthorizationResult> {
    // The client may have been deleted or updated while the user was on the pages: re-check at once.
    const client = await this.clients.findActiveById(pending.clientId);
    if (!client || resolveRedirectUri(client, pending.redirectUri) === null) return clientGone();
    try {
      if (
        !client.grantTypes.includes('authorization_code') ||
        !client.responseTypes.includes('code')
      ) {
        throw OAuthError.unauthorizedClient(
          'The client is no longer registered for the authorization_code grant',
        );
      }
      if (!(await this.requests.consume(pending.id))) return pendingRefused('unknown');
      return await this.responses.code(
        {
          clientId: pending.clientId,
          userId: pending.userId!,
          redirectUri: pending.redirectUri,
          redirectUriProvided: pending.redirectUriProvided,
          scopes: pending.scopes,
          nonce: pending.nonce ?? undefined,
          codeChallenge: pending.codeChallenge ?? undefined,
          dpopJkt: pending.dpopJkt,
          resources: pending.resources,
          authTime: pending.authTime ?? nowSeconds(),
        },
        session,
        pending.state,
      );
    } catch (e) {
      return this.responses.error(pending.redirectUri, e, pending.state);
    }
  }

  /** The `login` result: the context the {@link LoginHandler} gets. */
  private async loginStep(
    pending: PendingAuthorizationRequest,
    csrfToken: string,
    browser: BrowserRequest,
  ): Promise<AuthorizationResult> {
    const client = await this.clients.findActiveById(pending.clientId);
    if (!client) return clientGone();
    return {
      kind: 'login',
      requestId: pending.id,
      context: {
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
        reauthentication: (await this.sessions.fromCookies(browser.cookies)) !== null,
      },
    };
  }
}
