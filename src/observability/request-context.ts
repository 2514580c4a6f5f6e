import { AsyncLocalStorage } from 'node:async_hooks';

/** What the logs know about the request being served; one object per request, filled as it goes. */
export interface RequestContext {
  /** The request id: the caller's `X-Request-Id` when acceptable, else a fresh one (echoed back). */
  readonly id: string;
  /** The authenticated client, once known (token endpoint family, RFC 7592 management). */
  clientId?: string;
}

/** The request context of the code running now, carried across `await`s. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/**
 * Records the client that the current request authenticated as, for its log line. A no-op outside a
 * request (CLI, start-up). Only identifiers go here: a client id is public (RFC 6749 §2.2).
 */
export function noteClientId(clientId: string): void {
  const ctx = requestContext.getStore();
  if (ctx) ctx.clientId = clientId;
}
