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
