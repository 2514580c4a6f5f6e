import { SwaggerModule } from '@nestjs/swagger';
import request from 'supertest';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildOpenApiDocument } from '../src/common/swagger/swagger.setup.js';
import { createTestApp, type TestApp } from './helpers/test-app.js';

// Issue 11 (memory, docs/benchmarks.md "RSS over a 2-minute run"): the OpenAPI document is built on the
// first request for it, not at start-up, and it is the document an eager build gives.
describe('Swagger document built on first use', () => {
  let t: TestApp | undefined;
  afterAll(async () => {
    await t?.close();
  });

  it('is not built at start-up, is built once for the JSON and the UI, and equals an eager build', async () => {
    const build = vi.spyOn(SwaggerModule, 'createDocument');
    try {
      t = await createTestApp();
      expect(build).not.toHaveBeenCalled();

      const first = await request(t.url).get('/api/docs-json').expect(200);
      expect(build).toHaveBeenCalledTimes(1);
      await request(t.url).get('/api/docs/swagger-ui-init.js').expect(200);
      await request(t.url).get('/api/docs').expect(200).expect('content-type', /html/);
      const again = await request(t.url).get('/api/docs-json').expect(200);
      expect(build).toHaveBeenCalledTimes(1);
      expect(again.text).toBe(first.text);

      const eager = buildOpenApiDocument(t.app, { issuer: t.url });
      expect(first.body).toEqual(JSON.parse(JSON.stringify(eager)));
    } finally {
      build.mockRestore();
    }
  });
});
