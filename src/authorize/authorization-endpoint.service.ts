import { Inject, Injectable, Logger } from '@nestjs/common';
import { nowSeconds } from '../common/crypto/tokens.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { UsersService } from '../users/index.js';
import {
  AuthorizationPageError,
  type RawParams,
  type ValidatedAuthorizationRequest,
} from './authorization-request.js';
import { AuthorizationRequestIntakeService } from './authorization-request-intake.service.js';
import { AuthorizationRequestsService } from './authorization-requests.service.js';
import { AuthorizationResponsesService } from './authorization-responses.service.js';
import {
  failurePage,
  type AuthorizationResult,
  type BrowserRequest,
} from './authorization-result.js';
import { API_PREFIX } from '../common/http/route-prefix.js';
import { AUTHORIZE_SETTINGS, CONSENT_PATH, LOGIN_PATH } from './authorize.constants.js';
import type { AuthorizeSettings } from './authorize.options.js';
import { ConsentsService } from './consents.service.js';
import { LoginSessionsService, type LoginSession } from './login-sessions.service.js';

/**
 * `GET|POST /oauth/authorize` (RFC 6749 §4.1.1-§4.1.2): after the request checks
 * ({@link AuthorizationRequestIntakeService}), decides between the login step, the consent step and the
 * authorization response, from the browser's session and remembered consent (OIDC Core §3.1.2.1
 * `prompt`, `max_age`). Every piece of state is in the database, so the steps can land on different
 * instances. Returns an {@link AuthorizationResult}; it never sees the HTTP request.
 */
@Injectable()
export class AuthorizationEndpointService {
  private readonly logger = new Logger('AuthorizationFlowService');

  constructor(
    @Inject(AUTHORIZE_SETTINGS) private readonly settings: AuthorizeSettings,
    private readonly intake: AuthorizationRequestIntakeService,
    private readonly sessions: LoginSessionsService,
    private readonly users: UsersService,
    private readonly consents: ConsentsService,
    private readonly requests: AuthorizationRequestsService,
    private readonly responses: AuthorizationResponsesService,
  ) {}

  /** One authorization request with its parameters (query or body), from `browser`. */
  async authorize(params: RawParams, browser: BrowserRequest): Promise<AuthorizationResult> {
    const checked = await this.intake.check(params);
    if (checked.outcome === 'refused') return failurePage(checked.error, this.logger);
    const { resolved } = checked;
    const { state } = checked;
    try {
      if (checked.outcome === 'invalid') throw checked.error;
      return await this.decide(checked.request, browser);
    } catch (e) {
      // Refusals that must not redirect (too many pending requests from this IP) get a page.
      if (e instanceof AuthorizationPageError) return failurePage(e, this.logger);
      // RFC 9700 §4.11.2: with AUTHORIZE_UNTRUSTED_ERROR_PAGE, a self-registered client's error is shown
      // to the user with a plain link, so that this endpoint cannot bounce a browser to the attacker's
      // redirect URI unseen. Registered (trusted) clients keep the redirect of RFC 6749 §4.1.2.1.
      if (this.settings.untrustedErrorPage && resolved.client.selfRegistered) {
        return this.responses.errorWithLink(resolved.redirectUri, e, state);
      }
      return this.responses.error(resolved.redirectUri, e, state);
    }
  }

  /** Login, consent, or the code at once (OIDC Core §3.1.2.3-§3.1.2.4). */
  private async decide(
    v: ValidatedAuthorizationRequest,
    browser: BrowserRequest,
  ): Promise<AuthorizationResult> {
    const session = await this.liveSession(browser);
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
      const pending = await this.requests.create(browser, v, null);
      return {
        kind: 'redirect',
        location: `${API_PREFIX}${LOGIN_PATH}?request=${pending.id}`,
        cookies: pending.cookie ? [pending.cookie] : [],
      };
    }
    const needConsent =
      v.prompt.includes('consent') ||
      !(await this.consents.covers(session.userId, v.client.clientId, v.scopes));
    if (needConsent) {
      if (v.prompt.includes('none')) {
        throw new OAuthError('consent_required', 400, 'The user has not approved this request');
      }
      const pending = await this.requests.create(browser, v, session);
      return {
        kind: 'redirect',
        location: `${API_PREFIX}${CONSENT_PATH}?request=${pending.id}`,
        cookies: pending.cookie ? [pending.cookie] : [],
      };
    }
    return this.responses.code(
      {
        clientId: v.client.clientId,
        userId: session.userId,
        redirectUri: v.redirectUri,
        redirectUriProvided: v.redirectUriProvided,
        scopes: v.scopes,
        nonce: v.nonce ?? undefined,
        codeChallenge: v.codeChallenge ?? undefined,
        dpopJkt: v.dpopJkt,
        resources: v.resources,
        authTime: session.authTime,
      },
      session,
      v.state,
    );
  }

  /** The browser's session, unless it is expired or its user no longer exists (then: sign in again). */
  private async liveSession(browser: BrowserRequest): Promise<LoginSession | null> {
    const session = await this.sessions.fromCookies(browser.cookies);
    if (!session) return null;
    return (await this.users.findById(session.userId)) ? session : null;
  }
}
