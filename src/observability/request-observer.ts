import { Inject, Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { PINO_LOGGER } from './app-logger.js';
import { MetricsService, UNKNOWN_ROUTE } from './metrics.service.js';
import { attachRequestContext, type RequestContext } from '../common/http/request-context.js';

/** A caller's request id we adopt: short and plain, so it cannot forge log structure or grow lines. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:/+=-]{1,128}$/;

interface RequestState {
  ctx: RequestContext;
  start: bigint;
}

/**
 * One access-log line and one metrics observation per request, with the request id (`X-Request-Id`,
 * accepted from the caller when plain, else generated, and echoed on the response).
 *
 * The line has the method, the route template, the path (no query string: it can carry `state`, PKCE
 * values, login hints), the status, the latency and the authenticated client — never headers or bodies, so
 * credentials, cookies, DPoP proofs and client assertions cannot reach the log. It costs one listener and
 * one JSON line per request (docs/operations.md has the measurement); no serializer walks the request.
 * It is the first middleware, so body-parser refusals are logged too.
 */
@Injectable()
export class RequestObserver {
  constructor(
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    private readonly metrics: MetricsService,
  ) {}

  /** Assigns the request id and logs the request when its response is done (or abandoned). */
  readonly first: RequestHandler = (req: Request, res: Response, next: NextFunction): void => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && ACCEPTABLE_ID.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', id);
    const state: RequestState = { ctx: { id }, start: process.hrtime.bigint() };
    attachRequestContext(req, state.ctx);
    res.once('close', () => this.done(req, res, state));
    next();
  };

  private done(req: Request, res: Response, state: RequestState): void {
    const seconds = Number(process.hrtime.bigint() - state.start) / 1e9;
    // Express leaves the matched route on the request; its path is the template (`/:client_id`). A
    // wildcard is Nest's catch-all 404 handler under the global prefix (`/api/v1*path`), not a route.
    const matched = (req as { route?: { path?: unknown } }).route?.path;
    const route =
      typeof matched === 'string' && !matched.includes('*') ? req.baseUrl + matched : UNKNOWN_ROUTE;
    if (this.metrics.enabled) this.metrics.observe(req, res, route, seconds);
    // A response that closed before it finished: the client went away (nginx's 499).
    const status = res.writableFinished ? res.statusCode : 499;
    const level = status >= 500 ? 'error' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    this.logger[level](
      {
        reqId: state.ctx.id,
        method: req.method,
        route,
        path: req.path,
        status,
        ms: Math.round(seconds * 100_000) / 100,
        clientId: state.ctx.clientId,
      },
      'request completed',
    );
  }
}
