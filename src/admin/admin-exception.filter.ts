import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { toOAuthError } from '../common/errors/oauth-exception.filter.js';
import { ADMIN_MESSAGES } from './admin.constants.js';
import { rfc3339, type SimpleResponse } from './dto/simple-response.dto.js';

/**
 * Renders every error of the administration API in the reference's `SimpleResponse` shape
 * (`{code, message, timestamp}`, reference §5.4) with its standard texts (401 "Unauthenticated: provide a
 * valid Bearer Token", 403 "Insufficient permissions: administrator role required", ...), plus the OAuth
 * `error` / `error_description` and the RFC 6750 §3 `WWW-Authenticate` challenge. Server errors are
 * logged with their cause; the caller sees the generic text only.
 */
@Catch()
export class AdminExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('AdminError');

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
    const body: SimpleResponse = {
      code: err.status,
      message: adminMessage(err.status, err.description),
      timestamp: rfc3339(),
      error: err.error,
    };
    if (err.description && err.status < 500) body.error_description = err.description;
    res.status(err.status);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    for (const [k, v] of Object.entries(err.headers)) res.setHeader(k, v);
    res.json(body);
  }
}

/** The reference's text for a status; a 400 names the problem after it, other statuses say their own. */
function adminMessage(status: number, description: string | undefined): string {
  switch (status) {
    case 400:
      return description ? `${ADMIN_MESSAGES[400]}: ${description}` : ADMIN_MESSAGES[400];
    case 401:
    case 403:
      return ADMIN_MESSAGES[status];
    default:
      if (status >= 500) return ADMIN_MESSAGES[500];
      return description ?? 'Request failed';
  }
}
