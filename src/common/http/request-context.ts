/** What the logs know about the request being served; one object per request, filled as it goes. */
export interface RequestContext {
  /** The request id: the caller's `X-Request-Id` when acceptable, else a fresh one (echoed back). */
  readonly id: string;
  /** The authenticated client, once known (token endpoint family, RFC 7592 management). */
  clientId?: string;
}

/** Where the request observer keeps the context on the request object. */
const CONTEXT = Symbol('authms.requestContext');

type WithContext = { [CONTEXT]?: RequestContext };

/** Attaches `ctx` to `req` (the request observer does, first thing). */
export function attachRequestContext(req: object, ctx: RequestContext): void {
  (req as WithContext)[CONTEXT] = ctx;
}

/** The context of `req`, if the request observer saw it (not in unit tests that build requests). */
export function requestContextOf(req: object): RequestContext | undefined {
  return (req as WithContext)[CONTEXT];
}

/**
 * Records the client that `req` authenticated as, for the request's log line. Only identifiers go here:
 * a client id is public (RFC 6749 §2.2).
 *
 * The context travels on the request object, not in an `AsyncLocalStorage`: on Node 20 an active
 * AsyncLocalStorage costs about 0.1 µs on every `await` of the request (measured in
 * docs/operations.md), tens of microseconds per token request.
 */
export function noteClientId(req: object, clientId: string): void {
  const ctx = requestContextOf(req);
  if (ctx) ctx.clientId = clientId;
}
