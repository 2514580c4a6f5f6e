import type { ModuleMetadata, Type } from '@nestjs/common';
import type { Request, Response } from 'express';

/** What a {@link LoginHandler} knows about the authorization request it authenticates a user for. */
export interface LoginContext {
  /** Id of the pending authorization request; forms post it back as `request`. */
  requestId: string;
  /**
   * CSRF token bound to this request and this browser; forms that post to {@link actionUrl} must carry
   * it as `csrf_token`, or the post is refused with 403.
   */
  csrfToken: string;
  /** Where a login form posts (`POST /api/v1/oauth/login`); the module checks CSRF, then calls `submit`. */
  actionUrl: string;
  /** The client asking for authorization, as shown to the user. */
  client: { clientId: string; clientName: string | null; logoUri: string | null };
  /** Requested scope values. */
  scopes: string[];
  /**
   * Where the authorization response will be sent. A page whose form post may end in that redirect must
   * allow it in its CSP `form-action` (browsers enforce it on the redirect after a form post).
   */
  redirectUri: string;
  /** OIDC Core §3.1.2.1 `login_hint`, if the client sent one. */
  loginHint: string | null;
  /**
   * True when the user already has a session but must authenticate again (`prompt=login`, or `max_age`
   * exceeded; OIDC Core §3.1.2.1).
   */
  reauthentication: boolean;
}

/**
 * Result of a login step: either the end-user is authenticated (the module creates the session and
 * continues the authorization), or the handler has written the response itself (a login page, a
 * redirect to an upstream identity provider, a form shown again with an error).
 */
export type LoginOutcome =
  | {
      type: 'authenticated';
      /**
       * The `sub` of the user: the id of a `UsersService` user (`usr_…`). The token endpoint and userinfo
       * read the user's claims from UsersService, so a handler that trusts an external identity maps it
       * to (or provisions) a local user.
       */
      userId: string;
      /** Epoch seconds of the authentication (OIDC `auth_time`); defaults to now. */
      authTime?: number;
    }
  | { type: 'responded' };

/**
 * The login step of `/oauth/authorize`, replaceable by another Nest module (DESIGN.md "Extension
 * points"): the default checks a username and password against {@link UsersService}; a replacement may
 * trust an upstream identity provider, a client certificate, or a header set by a gateway.
 *
 * A handler that finishes outside these two calls (e.g. on its own upstream IdP callback route) resumes
 * the authorization with `AuthorizationFlowService.completeLogin(requestId, outcome, req, res)`.
 */
export interface LoginHandler {
  /**
   * `GET /oauth/login?request=…`: show the login step. Return `authenticated` to log the user in at once
   * (single sign-on, trusted header) or write a response and return `responded`.
   */
  start(ctx: LoginContext, req: Request, res: Response): Promise<LoginOutcome>;
  /**
   * `POST /oauth/login`, after the module has checked the request id and the CSRF token. `body` is the
   * form-encoded body. Return `authenticated`, or write a response (e.g. the form again with an error).
   */
  submit(
    ctx: LoginContext,
    body: Record<string, unknown>,
    req: Request,
    res: Response,
  ): Promise<LoginOutcome>;
}

/** Options of {@link AuthorizeModule.forRoot}. */
export interface AuthorizeModuleOptions {
  /**
   * The class that implements the login step; it is instantiated inside AuthorizeModule with the
   * providers of {@link imports} available. Default: the username/password form backed by `UsersService`.
   */
  loginHandler?: Type<LoginHandler>;
  /** Modules whose exported providers the login handler needs. Default: none. */
  imports?: ModuleMetadata['imports'];
}
