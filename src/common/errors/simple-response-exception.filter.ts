import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { simpleResponse } from '../http/simple-response.js';
import { toOAuthError } from './oauth-exception.filter.js';

/** The reference's texts of a family of routes, by status (reference §5.4). */
export type SimpleResponseMessages = Partial<Record<400 | 401 | 403 | 404 | 500, string>>;

/** The error body: the reference's `SimpleResponse` plus the OAuth pair (RFC 6750 §3.1). */
export interface SimpleErrorBody {
  code: number;
  message: string;
  timestamp: string;
  error: string;
  error_description?: string;
}

/**
 * Renders every error of the routes it covers in the reference's `SimpleResponse` shape
 * (`{code, message, timestamp}`, reference §5.4) — the shape the reference gives for the errors of the
 * administration API, the end-user routes (O13-O15) and the internal API (O50-O52) — plus the OAuth
 * `error` / `error_description` and any challenge header (`WWW-Authenticate`, RFC 6750 §3), so that both
 * the contract's consumers and OAuth tooling read it. `message` is the reference's text for the status
 * (`messages`); a 400 names the problem after it. Server errors are logged with their cause; the caller
 * sees the generic text only.
 */
@Catch()
export class SimpleResponseExceptionFilter implements ExceptionFilter {
  private readonly logger: Logger;

  constructor(
    private readonly messages: SimpleResponseMessages = {},
    loggerContext = 'HttpError',
  ) {
    this.logger = new Logger(loggerContext);
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const err = toOAuthError(exception);
    if (err.status >= 500) {
      const cause = err.cause ?? exception;
      this.logger.error(
        `${req.method} ${req.path} -> ${err.status} ${err.error}`,
        cause instanceof Error ? cause.stack : String(cause),
      );
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    const body: SimpleErrorBody = {
      ...simpleResponse(err.status, this.message(err.status, err.description)),
      error: err.error,
    };
    if (err.description && err.status < 500) body.error_description = err.description;
    res.status(err.status);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    res.json(body);
  }

  /** The reference's text for a status; a 400 names the problem after it. */
  private message(status: number, description: string | undefined): string {
    if (status >= 500) return this.messages[500] ?? 'Internal server error';
    if (status === 400) {
      const head = this.messages[400] ?? 'Invalid request parameters';
      return description ? `${head}: ${description}` : head;
    }
    const fixed = this.messages[status as 401 | 403 | 404];
    if (fixed && (status === 401 || status === 403)) return fixed;
    return description ?? fixed ?? 'Request failed';
  }
}
