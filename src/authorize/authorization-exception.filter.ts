import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { OAuthError } from '../common/errors/oauth-error.js';
import { OAuthExceptionFilter } from '../common/errors/oauth-exception.filter.js';
import { AuthorizationResponder } from './authorization-responder.js';
import { failurePage } from './authorization-result.js';

/**
 * The exception filter of the browser routes of the authorization flow (`/oauth/authorize`, the login
 * and consent pages). The flow returns its outcomes, errors included, as {@link AuthorizationResult}s;
 * what is thrown is unexpected (a database outage, a failing login handler) and becomes the same error
 * page through {@link AuthorizationResponder}: 503 `temporarily_unavailable` with `Retry-After` while the
 * database is away, else 500 `server_error`, never a stack trace.
 *
 * `OAuthError`s and `HttpException`s come from guards and pipes, before the flow runs (the rate limit's
 * 429 with `Retry-After`): they keep the JSON of the application-wide {@link OAuthExceptionFilter}.
 */
@Catch()
export class AuthorizationExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('AuthorizationFlowService');
  private readonly api = new OAuthExceptionFilter();

  constructor(private readonly responder: AuthorizationResponder) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof OAuthError || exception instanceof HttpException) {
      return this.api.catch(exception, host);
    }
    const http = host.switchToHttp();
    this.responder.write(
      http.getRequest<Request>(),
      http.getResponse<Response>(),
      failurePage(exception, this.logger),
    );
  }
}
