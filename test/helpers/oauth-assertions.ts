import { expect } from 'vitest';
import type { Response } from 'supertest';

/**
 * Asserts an OAuth error response: status, flat `{error, error_description}` body with no other shape,
 * `Cache-Control: no-store`, and on 401 `invalid_token` the Bearer challenge (RFC 6750 §3).
 */
export function expectOAuthError(res: Response, status: number, error: string): void {
  expect({ status: res.status, body: res.body as unknown }).toMatchObject({
    status,
    body: { error },
  });
  const body = res.body as Record<string, unknown>;
  expect(typeof body.error_description).toBe('string');
  expect(
    Object.keys(body).every((k) =>
      ['error', 'error_description', 'error_uri', 'state'].includes(k),
    ),
  ).toBe(true);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  if (status === 401 && error === 'invalid_token') {
    expect(res.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
  }
  // Never a stack trace or framework shape.
  expect(JSON.stringify(body)).not.toMatch(/statusCode|stack|at .*\.ts:\d+|QueryFailedError/);
}

/**
 * Asserts an error in the reference's `SimpleResponse` shape (admin, end-user O13-O15 and internal
 * routes): `{code, message, timestamp}` with `code` the status, plus the OAuth `error` (and optional
 * `error_description`) and nothing else; `Cache-Control: no-store`; never a stack trace.
 */
export function expectSimpleError(
  res: Response,
  status: number,
  expected: { message?: string | RegExp; error?: string } = {},
): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const body = res.body as Record<string, unknown>;
  expect(body.code).toBe(status);
  expect(typeof body.message).toBe('string');
  if (typeof expected.message === 'string') expect(body.message).toBe(expected.message);
  else if (expected.message) expect(body.message).toMatch(expected.message);
  expect(typeof body.error).toBe('string');
  if (expected.error) expect(body.error).toBe(expected.error);
  expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  expect(
    Object.keys(body).every((k) =>
      ['code', 'message', 'timestamp', 'error', 'error_description'].includes(k),
    ),
  ).toBe(true);
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  if (status === 401 && body.error === 'invalid_token') {
    expect(res.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
  }
  expect(JSON.stringify(body)).not.toMatch(/statusCode|stack|at .*\.ts:\d+|QueryFailedError/);
}
