import { Injectable, Logger } from '@nestjs/common';
import { ClientsService, type RegisteredClient } from '../client-registration/index.js';
import { csrfMatches } from './authorization-requests.service.js';
import { BackchannelLogoutService, IdTokenService, type IdTokenHint } from '../token/index.js';
import { UsersService } from '../users/index.js';
import type { RawParams } from './authorization-request.js';
import {
  failurePage,
  type AuthorizationResult,
  type BrowserRequest,
  type CookieChange,
} from './authorization-result.js';
import { logoutConfirmPage, signedOutPage } from './html/pages.js';
import {
  CLEAR_SESSION_COOKIE,
  LoginSessionsService,
  type LoginSession,
} from './login-sessions.service.js';

/** The parameters of a logout request (OIDC RP-Initiated Logout 1.0 §2), each a single string. */
interface LogoutParams {
  idTokenHint: string | null;
  clientId: string | null;
  postLogoutRedirectUri: string | null;
  state: string | null;
}

/** A logout request that passed validation. */
interface ValidatedLogout {
  hint: IdTokenHint | null;
  client: RegisteredClient | null;
  /** The registered `post_logout_redirect_uri` to return to, if the RP named one. */
  redirectUri: string | null;
  state: string | null;
}

/** A refused logout request: shown as a page (or JSON), never redirected (the target is not trusted). */
class LogoutRefusal extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

const refuse = (description: string) => new LogoutRefusal(400, 'invalid_request', description);

/** The heading of the error page of a refused sign-out. */
const FAILED_TITLE = 'Sign-out failed';
const CSRF_PURPOSE = 'logout';
/** Longest accepted parameter, characters (an ID token with a large key fits easily). */
const MAX_PARAM_LENGTH = 8192;

/**
 * OpenID Connect RP-Initiated Logout 1.0 at the `end_session_endpoint`, and the sign-out that ends the
 * login session (its row is deleted, so every instance refuses the cookie; the cookie is cleared) and
 * sends logout tokens to the session's relying parties (OIDC Back-Channel Logout 1.0).
 *
 * - `id_token_hint` is verified with our keys (an expired one is accepted, §2); one issued to another
 *   client than `client_id`, or to another user than the signed-in one, is refused.
 * - `post_logout_redirect_uri` must be registered by the client (named by `client_id` or the hint's `aud`)
 *   and is matched exactly; without a client it is refused (§3.1).
 * - With a valid hint the session ends at once (the request comes from the RP that holds the user's ID
 *   token); without one the user confirms on a page whose form is CSRF-protected (§2, §6).
 *
 * Each step returns its outcome as an {@link AuthorizationResult}, written by the
 * {@link AuthorizationResponder} like every step of the authorization flow (ADR 0025): this service never
 * touches Express.
 */
@Injectable()
export class LogoutService {
  private readonly logger = new Logger(LogoutService.name);

  constructor(
    private readonly clients: ClientsService,
    private readonly users: UsersService,
    private readonly sessions: LoginSessionsService,
    private readonly idTokens: IdTokenService,
    private readonly backchannel: BackchannelLogoutService,
  ) {}

  /** `GET|POST /oauth/logout` (OIDC RP-Initiated Logout 1.0 §2). */
  async endSession(params: RawParams, browser: BrowserRequest): Promise<AuthorizationResult> {
    try {
      const v = await this.validate(parseParams(params));
      const cookieSession = await this.sessions.fromCookies(browser.cookies);
      let session: LoginSession | null = cookieSession;
      if (v.hint) {
        if (cookieSession && cookieSession.userId !== v.hint.sub) {
          throw refuse('id_token_hint was issued for another user than the one signed in');
        }
        // A form post from the RP's site carries no SameSite=Lax cookie: the hint's `sid` names the session.
        if (!session && v.hint.sid) {
          const bySid = await this.sessions.findBySid(v.hint.sid);
          session = bySid && bySid.userId === v.hint.sub ? bySid : null;
        }
      } else if (session) {
        // No proof that the RP sent this: ask the user (§2, §6).
        const csrf = this.sessions.csrfToken(browser.cookies, CSRF_PURPOSE)!;
        const user = await this.users.findById(session.userId);
        const fields: Record<string, string> = {};
        if (v.client) fields.client_id = v.client.clientId;
        if (v.redirectUri) fields.post_logout_redirect_uri = v.redirectUri;
        if (v.state !== null) fields.state = v.state;
        return {
          kind: 'page',
          page: logoutConfirmPage({
            client: v.client,
            username: user?.username ?? session.userId,
            csrfToken: csrf,
            fields,
          }),
          redirectTarget: v.redirectUri ?? undefined,
        };
      }
      // §3: without a hint, no redirection unless something else vouches for it; here nothing did (there
      // was no session to confirm), so the user gets a plain link.
      return this.signedOut(v, v.hint !== null, await this.signOut(session));
    } catch (e) {
      return this.failure(e);
    }
  }

  /** `POST /oauth/logout/confirm`: the user confirmed on the page (CSRF-checked). */
  async confirm(body: RawParams, browser: BrowserRequest): Promise<AuthorizationResult> {
    try {
      const p = parseParams(body);
      if (p.idTokenHint !== null) throw refuse('id_token_hint is not a field of this form');
      const v = await this.validate(p);
      const session = await this.sessions.fromCookies(browser.cookies);
      if (session) {
        const expected = this.sessions.csrfToken(browser.cookies, CSRF_PURPOSE)!;
        if (!csrfMatches(expected, body.csrf_token) || body.decision !== 'logout') {
          throw new LogoutRefusal(
            403,
            'access_denied',
            'The form could not be verified (CSRF check failed). Reload the page and try again.',
          );
        }
      }
      // Without a session (already signed out, e.g. in another tab) there is nothing to end, and nothing
      // confirmed the redirect: a plain link then.
      return this.signedOut(v, session !== null, await this.signOut(session));
    } catch (e) {
      return this.failure(e);
    }
  }

  private async validate(p: LogoutParams): Promise<ValidatedLogout> {
    let hint: IdTokenHint | null = null;
    if (p.idTokenHint !== null) {
      try {
        hint = await this.idTokens.verifyHint(p.idTokenHint);
      } catch {
        throw refuse('id_token_hint is not a valid ID token issued by this server');
      }
    }
    // §2: when both are given, the hint must have been issued to client_id.
    if (hint && p.clientId !== null && hint.aud !== p.clientId) {
      throw refuse('id_token_hint was not issued to client_id');
    }
    const clientId = p.clientId ?? hint?.aud ?? null;
    let client: RegisteredClient | null = null;
    if (clientId !== null) {
      client = await this.clients.findActiveById(clientId);
      if (!client) throw refuse('The client is unknown or no longer registered');
    }
    let redirectUri: string | null = null;
    if (p.postLogoutRedirectUri !== null) {
      // §3.1: the OP must know which client's registered URIs to compare against.
      if (!client) {
        throw refuse(
          'post_logout_redirect_uri needs client_id or id_token_hint to name the client',
        );
      }
      // Exact string comparison, like redirect_uri (RFC 9700 §4.1.3).
      if (!client.postLogoutRedirectUris.includes(p.postLogoutRedirectUri)) {
        throw refuse('post_logout_redirect_uri is not registered for the client');
      }
      redirectUri = p.postLogoutRedirectUri;
    }
    return { hint, client, redirectUri, state: p.state };
  }

  /** Ends the session (if any) and notifies its RPs; returns the cookie change that goes with it. */
  private async signOut(session: LoginSession | null): Promise<CookieChange[]> {
    if (!session) return [];
    const ended = await this.sessions.end(session);
    this.logger.log(`Session ended for user ${ended.userId} (${ended.clientIds.length} client(s))`);
    await this.backchannel.notify(ended);
    return [CLEAR_SESSION_COOKIE];
  }

  /**
   * §3: back to the registered `post_logout_redirect_uri` with `state` when `redirect` (a valid hint, or
   * the user confirmed), else the signed-out page (with a plain link to that URI, if one was named), or
   * `{"signed_out": true}` for a caller that accepts only JSON.
   */
  private signedOut(
    v: ValidatedLogout,
    redirect: boolean,
    cookies: CookieChange[],
  ): AuthorizationResult {
    let target: string | null = null;
    if (v.redirectUri) {
      const q = new URLSearchParams();
      if (v.state !== null) q.append('state', v.state);
      const query = q.toString();
      const sep = v.redirectUri.includes('?') ? '&' : '?';
      target = query ? `${v.redirectUri}${sep}${query}` : v.redirectUri;
      if (redirect) return { kind: 'redirect', location: target, cookies };
    }
    return {
      kind: 'page',
      page: signedOutPage({ returnTo: target }),
      json: { signed_out: true },
      cookies,
    };
  }

  /**
   * A refused request as an error page (JSON `{error, error_description}` for API callers), never a
   * redirect (the target is not trusted); anything unexpected as {@link failurePage} makes it: 503 while
   * the database is away, else 500, logged.
   */
  private failure(e: unknown): AuthorizationResult {
    if (!(e instanceof LogoutRefusal)) return failurePage(e, this.logger);
    return {
      kind: 'error',
      to: 'user',
      error: { error: e.error, description: e.description, status: e.status },
      title: FAILED_TITLE,
    };
  }
}

/** Reads the §2 parameters: each absent or one string (a repeated parameter is `invalid_request`). */
function parseParams(params: RawParams): LogoutParams {
  const one = (name: string): string | null => {
    const v = params[name];
    if (v === undefined || v === '') return null;
    if (typeof v !== 'string') throw refuse(`${name} must be given once, as a string`);
    if (v.length > MAX_PARAM_LENGTH) throw refuse(`${name} is too long`);
    return v;
  };
  // §2: `ui_locales` and `logout_hint` are accepted; the pages are English only and the session to end
  // is the browser's, so neither changes anything.
  one('ui_locales');
  one('logout_hint');
  return {
    idTokenHint: one('id_token_hint'),
    clientId: one('client_id'),
    postLogoutRedirectUri: one('post_logout_redirect_uri'),
    state: one('state'),
  };
}
