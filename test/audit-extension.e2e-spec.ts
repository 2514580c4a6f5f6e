import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditedAppModule, ClientAuditLog } from '../examples/audit-extension/index.js';
import { configureApp } from '../src/app.setup.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { testLogger } from './helpers/test-logger.js';
import { createTestDatabase, freePort, TEST_DB_TYPE } from './helpers/test-app.js';

const FLAT = '/connect/register';
const ENVELOPE = '/api/v1/oauth/register';

// The example extension in examples/audit-extension (compiled with the project): a Nest module of its
// own that listens to the client events and adds a registration policy, composed with AuthMS without
// touching src/ or main.ts.
describe(`the audit extension example (${TEST_DB_TYPE})`, () => {
  let app: NestExpressApplication;
  let url: string;
  let drop: () => Promise<void>;
  let audit: ClientAuditLog;
  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env = {
      NODE_ENV: 'test',
      ISSUER: url,
      LOG_LEVEL: 'error',
      KEYS_ENCRYPTION_KEY: 'dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=',
      // A setting of the host that the replaced registration module must still honour.
      REGISTRATION_DEFAULT_SCOPE: 'openid',
      ...db.env,
    };
    app = await NestFactory.create<NestExpressApplication>(
      auditedAppModule({ allowedRedirectHosts: ['example.com'] }, env),
      { bodyParser: false, logger: ['error'], abortOnError: false },
    );
    configureApp(app);
    // configureApp installs the JSON logger; tests keep theirs (quiet unless a test fails).
    app.useLogger(testLogger);
    await app.listen(port, '127.0.0.1');
    audit = app.get(ClientAuditLog, { strict: false });
  });
  afterAll(async () => {
    await app?.close();
    await drop?.();
  });

  it('refuses redirect URIs on hosts the policy does not approve, in both styles', async () => {
    for (const path of [FLAT, ENVELOPE]) {
      const res = await request(url)
        .post(path)
        .send({ redirect_uris: ['https://evil.example.net/cb'] });
      expectOAuthError(res, 400, 'invalid_redirect_uri');
      expect(res.body.error_description).toContain('approved host');
    }
  });

  it('records registration, update and deletion in the audit trail', async () => {
    const reg = await request(url)
      .post(FLAT)
      .send({ redirect_uris: ['https://app.example.com/cb'], client_name: 'Audited' })
      .expect(201);
    const id = reg.body.client_id as string;
    expect(reg.body.scope).toBe('openid');
    // client.registered and client.updated are delivered after the response (a failing listener must
    // not fail a stored registration), so wait for the entry rather than expect it at once.
    await vi.waitFor(() =>
      expect(audit.entries).toContainEqual({
        event: 'registered',
        clientId: id,
        clientName: 'Audited',
      }),
    );

    const refused = await request(url)
      .put(`${FLAT}/${id}`)
      .auth(reg.body.registration_access_token as string, { type: 'bearer' })
      .send({ redirect_uris: ['https://elsewhere.example.org/cb'] });
    expectOAuthError(refused, 400, 'invalid_redirect_uri');

    const upd = await request(url)
      .put(`${FLAT}/${id}`)
      .auth(reg.body.registration_access_token as string, { type: 'bearer' })
      .send({ redirect_uris: ['https://login.app.example.com/cb'], client_name: 'Audited 2' })
      .expect(200);
    await vi.waitFor(() =>
      expect(audit.entries).toContainEqual({
        event: 'updated',
        clientId: id,
        clientName: 'Audited 2',
      }),
    );

    await request(url)
      .delete(`${FLAT}/${id}`)
      .auth(upd.body.registration_access_token as string, { type: 'bearer' })
      .expect(204);
    expect(audit.entries.at(-1)).toEqual({ event: 'deleted', clientId: id, clientName: null });
  });
});
