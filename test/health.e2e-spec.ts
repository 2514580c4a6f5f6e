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

// Kubernetes probes (docs/operations.md "Probes"): liveness never depends on the database, readiness does.
describe('liveness and readiness probes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers live and ready with 200 while the database is up, uncached', async () => {
    const live = await request(t.url).get('/api/v1/health/live').expect(200);
    expect(live.body).toEqual({ status: 'ok' });
    expect(live.headers['cache-control']).toBe('no-store');
    const ready = await request(t.url).get('/api/v1/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
    expect(ready.headers['cache-control']).toBe('no-store');
  });

  it('keeps live at 200 and answers ready (and the old path) 503 when the database is gone', async () => {
    await t.dataSource.destroy();
    await request(t.url).get('/api/v1/health/live').expect(200);
    const ready = await request(t.url).get('/api/v1/health/ready');
    expectOAuthError(ready, 503, 'temporarily_unavailable');
    expectOAuthError(await request(t.url).get('/api/v1/health'), 503, 'temporarily_unavailable');
  });
});
