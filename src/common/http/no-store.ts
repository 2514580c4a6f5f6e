import { applyDecorators, Header } from '@nestjs/common';
import type { Response } from 'express';

/**
 * The response headers that keep tokens, credentials and personal data out of caches: RFC 6749 §5.1
 * ("Cache-Control: no-store" and "Pragma: no-cache" on every response carrying tokens or credentials),
 * RFC 7591 §3.2.1 / RFC 7592 §3 (client secrets and registration access tokens), RFC 9111 §5.2.2.5.
 * `Pragma` is for HTTP/1.0 caches (RFC 9111 §5.4).
 */
export const NO_STORE_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** Marks a route's responses as not to be stored ({@link NO_STORE_HEADERS}). */
export function NoStore(): MethodDecorator {
  return applyDecorators(
    ...Object.entries(NO_STORE_HEADERS).map(([name, value]) => Header(name, value)),
  );
}

/** Sets {@link NO_STORE_HEADERS} on a response written by hand (exception filters, HTML pages). */
export function setNoStore(res: Response): void {
  for (const [name, value] of Object.entries(NO_STORE_HEADERS)) res.setHeader(name, value);
}
