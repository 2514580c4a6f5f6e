/**
 * The one error type of the server, shaped by the RFCs: `error` is the RFC code, `status` the HTTP status
 * the RFC prescribes, `description` the public `error_description`, and `cause` a private detail that is
 * logged but never sent. The exception filter renders it as flat `{error, error_description}`.
 *
 * Codes: RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3.1, RFC 7591 §3.2.2, RFC 7009 §2.2.1, RFC 9126.
 */
export class OAuthError extends Error {
  constructor(
    /** RFC error code, e.g. `invalid_client_metadata`. */
    readonly error: string,
    /** HTTP status. */
    readonly status: number,
    /** Public, human-readable `error_description`. */
    readonly description?: string,
    /** Extra response headers (`WWW-Authenticate`, `Retry-After`); a list is sent as several lines. */
    readonly headers: Record<string, string | string[]> = {},
    /** Private cause, logged only. */
    override readonly cause?: unknown,
  ) {
    super(description ? `${error}: ${description}` : error);
    this.name = 'OAuthError';
  }

  /** `state` to echo on authorization errors (RFC 6749 §4.1.2.1). */
  state?: string;

  /** 400 `invalid_request` (RFC 6749 §5.2): a missing, repeated or malformed parameter. */
  static invalidRequest(
    description = 'The request is missing a parameter or is malformed',
  ): OAuthError {
    return new OAuthError('invalid_request', 400, description);
  }

  /**
   * 401 `invalid_client` (RFC 6749 §5.2). When the client tried HTTP Basic, the response carries a
   * `WWW-Authenticate: Basic` challenge, as the RFC requires.
   */
  static invalidClient(description = 'Client authentication failed', basic = false): OAuthError {
    return new OAuthError(
      'invalid_client',
      401,
      description,
      basic ? { 'WWW-Authenticate': 'Basic realm="authms", charset="UTF-8"' } : {},
    );
  }

  /** 400 `invalid_grant` (RFC 6749 §5.2): bad, expired, revoked or mismatched code / refresh token. */
  static invalidGrant(
    description = 'The provided grant is invalid, expired or revoked',
  ): OAuthError {
    return new OAuthError('invalid_grant', 400, description);
  }

  /** 400 `unauthorized_client` (RFC 6749 §5.2): the client may not use this grant. */
  static unauthorizedClient(
    description = 'The client is not authorized to use this grant type',
  ): OAuthError {
    return new OAuthError('unauthorized_client', 400, description);
  }

  /** 400 `unsupported_grant_type` (RFC 6749 §5.2). */
  static unsupportedGrantType(description = 'The grant type is not supported'): OAuthError {
    return new OAuthError('unsupported_grant_type', 400, description);
  }

  /** 400 `unsupported_response_type` (RFC 6749 §4.1.2.1). */
  static unsupportedResponseType(description = 'Only response_type=code is supported'): OAuthError {
    return new OAuthError('unsupported_response_type', 400, description);
  }

  /** 400 `invalid_scope` (RFC 6749 §5.2). */
  static invalidScope(description = 'The requested scope is invalid or not allowed'): OAuthError {
    return new OAuthError('invalid_scope', 400, description);
  }

  /** 403 `access_denied` (RFC 6749 §4.1.2.1). */
  static accessDenied(description = 'The resource owner denied the request'): OAuthError {
    return new OAuthError('access_denied', 403, description);
  }

  /**
   * 401 `invalid_token` (RFC 6750 §3.1) with `WWW-Authenticate: Bearer error="invalid_token"`. Used for
   * the registration access token (RFC 7592 §2) and access tokens at userinfo.
   */
  static invalidToken(description = 'The access token is missing, invalid or revoked'): OAuthError {
    return new OAuthError('invalid_token', 401, description, {
      'WWW-Authenticate': `Bearer error="invalid_token", error_description="${description.replace(/["\\]/g, '')}"`,
    });
  }

  /** 403 `insufficient_scope` (RFC 6750 §3.1). */
  static insufficientScope(description = 'The access token lacks the required scope'): OAuthError {
    return new OAuthError('insufficient_scope', 403, description, {
      'WWW-Authenticate': `Bearer error="insufficient_scope", error_description="${description.replace(/["\\]/g, '')}"`,
    });
  }

  /** 404 `not_found`: the addressed record does not exist, or the caller may not know it exists. */
  static notFound(description = 'The requested resource does not exist'): OAuthError {
    return new OAuthError('not_found', 404, description);
  }

  /** 400 `invalid_client_metadata` (RFC 7591 §3.2.2); the description names the field. */
  static invalidClientMetadata(description: string): OAuthError {
    return new OAuthError('invalid_client_metadata', 400, description);
  }

  /** 400 `invalid_redirect_uri` (RFC 7591 §3.2.2). */
  static invalidRedirectUri(description: string): OAuthError {
    return new OAuthError('invalid_redirect_uri', 400, description);
  }

  /** 429 `rate_limit_exceeded` (the oauth-service contract) with `Retry-After` (RFC 9110 §10.2.3). */
  static rateLimited(retryAfterSeconds: number): OAuthError {
    const s = Math.max(1, Math.ceil(retryAfterSeconds));
    return new OAuthError(
      'rate_limit_exceeded',
      429,
      `Rate limit exceeded, retry after ${s} seconds`,
      { 'Retry-After': String(s) },
    );
  }

  /** 500 `server_error` (RFC 6749 §5.2) with a generic description; `cause` goes to the log only. */
  static serverError(
    cause?: unknown,
    description = 'The server encountered an internal error',
  ): OAuthError {
    return new OAuthError('server_error', 500, description, {}, cause);
  }

  /** 503 `temporarily_unavailable` (RFC 6749 §4.1.2.1). */
  static temporarilyUnavailable(cause?: unknown): OAuthError {
    return new OAuthError(
      'temporarily_unavailable',
      503,
      'The server is temporarily unavailable, retry later',
      { 'Retry-After': '5' },
      cause,
    );
  }

  /** Attaches the `state` to echo (authorization errors). */
  withState(state: string | undefined): this {
    this.state = state;
    return this;
  }
}
