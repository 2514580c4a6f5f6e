import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

describe('health, errors and docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers the health check with the database up', async () => {
    const res = await request(t.url).get('/api/v1/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('answers unknown routes with a flat OAuth-style 404, no framework shape', async () => {
    const res = await request(t.url).get('/api/v1/nope');
    expectOAuthError(res, 404, 'not_found');
  });

  it('serves the OpenAPI document and Swagger UI', async () => {
    const doc = await request(t.url).get('/api/docs-json').expect(200);
    expect(doc.body).toMatchObject({ openapi: expect.stringMatching(/^3\./) as unknown });
    await request(t.url).get('/api/docs').expect(200).expect('content-type', /html/);
  });
});
