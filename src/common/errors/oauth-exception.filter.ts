import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { methodNotAllowed } from '../http/allowed-methods.js';
import { requestContextOf } from '../http/request-context.js';
import { isDatabaseUnavailable } from './database-unavailable.js';
import { OAuthError } from './oauth-error.js';

/** Body of every error response: `OAuthErrorResponse` (RFC 6749 §5.2, RFC 7591 §3.2.2). */
export interface OAuthErrorBody {
  error: string;
  error_description?: string;
  error_uri?: string;
  state?: string;
}

/**
 * Translates framework and body-parser errors into OAuth errors, so that malformed JSON, wrong content
 * types, oversized bodies and unknown routes answer a clear 4xx in the OAuth shape, never Nest's
 * `{statusCode, message}` nor a stack trace.
 */
export function toOAuthError(exception: unknown): OAuthError {
  // A slow, gone or locked database is the server's temporary state, not the request's fault: 503 with
  // Retry-After (RFC 6749 §4.1.2.1), also when a handler already wrapped it as a server_error.
  if (exception instanceof OAuthError && exception.status !== 500) return exception;
  if (isDatabaseUnavailable(exception)) return OAuthError.temporarilyUnavailable(exception);
  if (exception instanceof OAuthError) return exception;
  // Nest wraps body-parser errors in an HttpException whose message is the parser's (it quotes the
  // body); read the original instead, so every parse failure gets the same fixed description.
  if (exception instanceof HttpException && isBodyParserError(exception.cause)) {
    return toOAuthError(exception.cause);
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const res = exception.getResponse();
    const message =
      typeof res === 'object' && res !== null && 'message' in res
        ? String(res.message)
        : exception.message;
    switch (status) {
      case 404: // NOT_FOUND
        return new OAuthError('not_found', 404, 'The requested resource does not exist');
      case 405: // METHOD_NOT_ALLOWED
        return new OAuthError('invalid_request', 405, 'Method not allowed');
      case 413: // PAYLOAD_TOO_LARGE
        return new OAuthError('invalid_request', 413, 'The request body is too large');
      case 415: // UNSUPPORTED_MEDIA_TYPE
        return new OAuthError('invalid_request', 415, 'Unsupported content type');
      case 429: // TOO_MANY_REQUESTS
        return OAuthError.rateLimited(60);
      case 503: // SERVICE_UNAVAILABLE
        return OAuthError.temporarilyUnavailable(exception);
      case 401: // UNAUTHORIZED
        return OAuthError.invalidToken();
      default:
        if (status >= 500) return OAuthError.serverError(exception);
        return new OAuthError('invalid_request', status, message);
    }
  }
  // body-parser errors carry `type` and `status` (raw-body / body-parser).
  if (typeof exception === 'object' && exception !== null && 'type' in exception) {
    const e = exception as { type?: string; status?: number; statusCode?: number };
    const status = e.status ?? e.statusCode ?? 400;
    switch (e.type) {
      case 'entity.parse.failed':
        return OAuthError.invalidRequest('The request body is not valid JSON');
      case 'entity.too.large':
        return new OAuthError('invalid_request', 413, 'The request body is too large');
      case 'charset.unsupported':
      case 'encoding.unsupported':
        return new OAuthError('invalid_request', 415, 'Unsupported request body encoding');
      case 'parameters.too.many':
        return new OAuthError('invalid_request', 413, 'Too many parameters');
      case 'request.aborted':
        return OAuthError.invalidRequest('The request was aborted');
      default:
        if (status >= 400 && status < 500) return OAuthError.invalidRequest('Malformed request');
    }
  }
  return OAuthError.serverError(exception);
}

/** An error of body-parser / raw-body: it names its kind in `type` (`entity.parse.failed`, ...). */
function isBodyParserError(e: unknown): boolean {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as { type?: unknown }).type === 'string' &&
    !(e instanceof HttpException)
  );
}

/**
 * Renders every error, everywhere, as flat `{error, error_description}` with the RFC status,
 * `Cache-Control: no-store` (RFC 6749 §5.1) and the error's challenge headers. Server errors are logged
 * with their cause; clients see only a generic description.
 */
@Catch()
export class OAuthExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('OAuthError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    let err = toOAuthError(exception);
    // No route took the request: a known path with another method is 405 with Allow, not 404.
    if (err.status === 404 && req.app) {
      // Nest's 404 handler sits in a router mounted on the global prefix: the full path is base + path.
      err = methodNotAllowed(req.app, req.method, req.baseUrl + req.path) ?? err;
    }
    // The request id ties these lines to the request's own log line (docs/operations.md "Logs").
    const id = requestContextOf(req)?.id;
    const request = id ? ` (request ${id})` : '';
    if (err.status === 503 && isDatabaseUnavailable(exception)) {
      // Expected while the database is away, possibly for every request: one line, no stack.
      this.logger.warn(
        `${req.method} ${req.path} -> 503: database unavailable (${describe(exception)})${request}`,
      );
    } else if (err.status >= 500) {
      const cause = err.cause ?? exception;
      this.logger.error(
        `${req.method} ${req.path} -> ${err.status} ${err.error}${request}`,
        cause instanceof Error ? cause.stack : String(cause),
      );
    }
    sendOAuthError(res, err);
  }
}

/** The innermost driver message of a database error, for the log. */
function describe(e: unknown): string {
  let current = e as { message?: unknown; driverError?: unknown; cause?: unknown } | undefined;
  for (let i = 0; i < 5 && current; i++) {
    const inner = (current.driverError ?? current.cause) as typeof current;
    if (!inner || typeof inner !== 'object') break;
    current = inner;
  }
  return typeof current?.message === 'string' ? current.message : String(e);
}

/** Writes an OAuth error response; shared by the filter and handlers that render errors themselves. */
export function sendOAuthError(res: Response, err: OAuthError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  // For the metrics' outcome labels (MetricsService): the code, never the description.
  if (res.locals) res.locals.oauthError = err.error;
  const body: OAuthErrorBody = { error: err.error };
  if (err.description) body.error_description = err.description;
  if (err.state !== undefined) body.state = err.state;
  res.status(err.status);
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
  res.json(body);
}
