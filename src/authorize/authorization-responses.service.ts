import { Inject, Injectable, Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '../common/errors/database-unavailable.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { AuthorizationCodeService, type AuthorizationCodeInput } from '../token/index.js';
import type { AuthorizationResult } from './authorization-result.js';
import { AUTHORIZE_SETTINGS } from './authorize.constants.js';
import type { AuthorizeSettings } from './authorize.options.js';
import { LoginSessionsService, type LoginSession } from './login-sessions.service.js';
import { displayHost } from './redirect-uri.js';

/**
 * The authorization response to the client (RFC 6749 §4.1.2, RFC 9207 §2): the code, or the error of
 * §4.1.2.1, appended to the redirect URI with `state` and `iss`. Shared by the authorization endpoint
 * (no interaction needed) and the login and consent steps.
 */
@Injectable()
export class AuthorizationResponsesService {
  private readonly logger = new Logger('AuthorizationFlowService');

  constructor(
    @Inject(AUTHORIZE_SETTINGS) private readonly settings: AuthorizeSettings,
    private readonly codes: AuthorizationCodeService,
    private readonly sessions: LoginSessionsService,
  ) {}

  /**
   * Issues a code for `input` in `session`, records the client in the session (for its logout token,
   * OIDC Back-Channel Logout 1.0 §2.7), and redirects to the client with it.
   */
  async code(
    input: Omit<AuthorizationCodeInput, 'sid' | 'codeChallengeMethod'>,
    session: LoginSession,
    state: string | null,
  ): Promise<AuthorizationResult> {
    const code = await this.codes.issue({
      ...input,
      codeChallengeMethod: input.codeChallenge ? 'S256' : undefined,
      sid: session.sid,
    });
    await this.sessions.recordClient(session, input.clientId);
    return { kind: 'redirect', location: this.location(input.redirectUri, { code, state }) };
  }

  /** RFC 6749 §4.1.2.1: the error goes back to the client through its (validated) redirect URI. */
  error(redirectUri: string, e: unknown, state: string | null): AuthorizationResult {
    const err = this.asOAuthError(e);
    return {
      kind: 'error',
      to: 'client',
      location: this.location(redirectUri, {
        error: err.error,
        error_description: err.description ?? null,
        state,
      }),
    };
  }

  /**
   * The error of a self-registered client's request, shown instead of redirected (RFC 9700 §4.11.2
   * "inform the user"): the page names the error and the host, and offers the error response URI as a
   * plain link the user may follow.
   */
  errorWithLink(redirectUri: string, e: unknown, state: string | null): AuthorizationResult {
    const err = this.asOAuthError(e);
    const status = err.status >= 400 && err.status < 600 ? err.status : 400;
    const href = this.location(redirectUri, {
      error: err.error,
      error_description: err.description ?? null,
      state,
    });
    return {
      kind: 'error',
      to: 'user',
      error: {
        error: err.error,
        description: err.description ?? 'The authorization request was refused.',
        status,
      },
      returnLink: { href, host: displayHost(redirectUri) },
    };
  }

  /** `redirect_uri` + `code`/`error`…, `state` and `iss` (RFC 6749 §4.1.2, RFC 9207 §2). */
  private location(redirectUri: string, params: Record<string, string | null>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== null) q.append(k, v);
    q.append('iss', this.settings.issuer);
    // RFC 6749 §3.1.2: keep the registered query component as it is, and append to it.
    return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${q.toString()}`;
  }

  private asOAuthError(e: unknown): OAuthError {
    if (e instanceof OAuthError) return e;
    // RFC 6749 §4.1.2.1 names this case: the client may retry later (docs/faults.md).
    if (isDatabaseUnavailable(e)) return OAuthError.temporarilyUnavailable(e);
    this.logger.error('Authorization request failed', e instanceof Error ? e.stack : String(e));
    return OAuthError.serverError(e);
  }
}
