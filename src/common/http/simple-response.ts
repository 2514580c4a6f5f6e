/**
 * The body of the reference's `SimpleResponse` (the envelope without `data`) for a success that carries
 * none; its Swagger schema is `SimpleResponse` of the admin module.
 */
export interface SimpleBody {
  code: number;
  message: string;
  /** RFC 3339 UTC. */
  timestamp: string;
}

/** A {@link SimpleBody} with the current time. */
export function simpleResponse(code: number, message: string): SimpleBody {
  return { code, message, timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
}
