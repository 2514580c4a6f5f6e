import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

const ENVELOPE = '/api/v1/oauth/register';
const FLAT = '/connect/register';
const valid = { redirect_uris: ['https://app.example.com/callback'], client_name: 'Flat' };

type Op = { responses: Record<string, { content?: Record<string, { schema: { $ref: string } }> }> };
const ref = (op: Op, status: string) =>
  op.responses[status].content?.['application/json'].schema.$ref;

// Both registration styles at once, with the default settings (docs/adr/0020): the contract's envelope at
// /api/v1/oauth/register, flat RFC 7591 §3.2.1 / RFC 7592 §3 bodies at /connect/register. The style is a
// property of the route; one service, one store, one validator behind both.
describe(`client registration in both styles (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('registers, reads, updates and deletes at /connect/register with flat bodies (RFC 7591/7592)', async () => {
    const reg = await request(t.url).post(FLAT).send(valid).expect(201);
    expect(reg.headers['cache-control']).toBe('no-store');
    expect(reg.body).not.toHaveProperty('data');
    expect(reg.body).not.toHaveProperty('code');
    expect(reg.body).toMatchObject({
      client_name: 'Flat',
      redirect_uris: valid.redirect_uris,
      token_endpoint_auth_method: 'client_secret_basic',
    });
    const id = reg.body.client_id as string;
    // RFC 7592 §3: registration_client_uri points back into the same style.
    expect(reg.body.registration_client_uri).toBe(`${t.url}${FLAT}/${id}`);
    const token = reg.body.registration_access_token as string;

    const read = await request(t.url)
      .get(`${FLAT}/${id}`)
      .auth(token, { type: 'bearer' })
      .expect(200);
    expect(read.body).toMatchObject({ client_id: id, registration_access_token: token });
    expect(read.body.registration_client_uri).toBe(`${t.url}${FLAT}/${id}`);
    expect(read.body).not.toHaveProperty('client_secret');

    const upd = await request(t.url)
      .put(`${FLAT}/${id}`)
      .auth(token, { type: 'bearer' })
      .send({ ...valid, client_name: 'Flat 2' })
      .expect(200);
    expect(upd.body).toMatchObject({ client_id: id, client_name: 'Flat 2' });
    expect(upd.body.registration_client_uri).toBe(`${t.url}${FLAT}/${id}`);
    const next = upd.body.registration_access_token as string;

    const del = await request(t.url)
      .delete(`${FLAT}/${id}`)
      .auth(next, { type: 'bearer' })
      .expect(204);
    expect(del.text).toBe('');
    expectOAuthError(
      await request(t.url).get(`${FLAT}/${id}`).auth(next, { type: 'bearer' }),
      401,
      'invalid_token',
    );
  });

  it('keeps the contract envelope at /api/v1/oauth/register, pointing back into the envelope path', async () => {
    const reg = await request(t.url).post(ENVELOPE).send(valid).expect(201);
    expect(Object.keys(reg.body as object)).toEqual(['code', 'data', 'message', 'timestamp']);
    expect(reg.body).toMatchObject({ code: 201, message: 'Client registered' });
    const id = reg.body.data.client_id as string;
    expect(reg.body.data.registration_client_uri).toBe(`${t.url}${ENVELOPE}/${id}`);
    const read = await request(t.url)
      .get(`${ENVELOPE}/${id}`)
      .auth(reg.body.data.registration_access_token as string, { type: 'bearer' })
      .expect(200);
    expect(read.body).toMatchObject({ code: 200, message: 'Client metadata' });
    expect(read.body.data.registration_client_uri).toBe(`${t.url}${ENVELOPE}/${id}`);
  });

  it('serves one store: a client registered in one style is managed in the other', async () => {
    const reg = await request(t.url).post(ENVELOPE).send(valid).expect(201);
    const { client_id: id, registration_access_token: token } = reg.body.data as Record<
      string,
      string
    >;
    const read = await request(t.url)
      .get(`${FLAT}/${id}`)
      .auth(token, { type: 'bearer' })
      .expect(200);
    expect(read.body).toMatchObject({ client_id: id, client_name: 'Flat' });
    const upd = await request(t.url)
      .put(`${FLAT}/${id}`)
      .auth(token, { type: 'bearer' })
      .send({ ...valid, client_name: 'Renamed' })
      .expect(200);
    // The rotated token (RFC 7592 §2.2) is the one both styles accept from now on.
    const next = upd.body.registration_access_token as string;
    expectOAuthError(
      await request(t.url).get(`${ENVELOPE}/${id}`).auth(token, { type: 'bearer' }),
      401,
      'invalid_token',
    );
    const again = await request(t.url)
      .get(`${ENVELOPE}/${id}`)
      .auth(next, { type: 'bearer' })
      .expect(200);
    expect(again.body.data.client_name).toBe('Renamed');
  });

  it('answers the same flat errors in both styles (one validator, one guard)', async () => {
    for (const path of [FLAT, ENVELOPE]) {
      expectOAuthError(await request(t.url).post(path).send({}), 400, 'invalid_client_metadata');
      expectOAuthError(
        await request(t.url)
          .post(path)
          .send({ redirect_uris: ['javascript:alert(1)'] }),
        400,
        'invalid_redirect_uri',
      );
      expectOAuthError(
        await request(t.url)
          .get(`${path}/01ARZ3NDEKTSV4RRFFQ69G5FAV`)
          .auth('reg_x', { type: 'bearer' }),
        401,
        'invalid_token',
      );
    }
  });

  it('never serves a style at a path that differs from the other only by a prefix', async () => {
    expectOAuthError(
      await request(t.url).post('/api/v1/connect/register').send(valid),
      404,
      'not_found',
    );
    expectOAuthError(await request(t.url).post('/oauth/register').send(valid), 404, 'not_found');
  });

  it('gives /connect/register the HTTP semantics of the API: 405 with Allow, CORS for fetch clients', async () => {
    const patch = await request(t.url).patch(`${FLAT}/01ARZ3NDEKTSV4RRFFQ69G5FAV`).send({});
    expectOAuthError(patch, 405, 'invalid_request');
    expect(patch.headers.allow).toBe('GET, PUT, DELETE, HEAD, OPTIONS');
    const preflight = await request(t.url)
      .options(FLAT)
      .set('Origin', 'https://mcp-client.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'content-type')
      .expect(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    const reg = await request(t.url)
      .post(FLAT)
      .set('Origin', 'https://mcp-client.example')
      .send(valid)
      .expect(201);
    expect(reg.headers['access-control-allow-origin']).toBe('*');
  });

  it('advertises /connect/register as registration_endpoint in both discovery documents', async () => {
    for (const doc of ['oauth-authorization-server', 'openid-configuration']) {
      const res = await request(t.url).get(`/.well-known/${doc}`).expect(200);
      expect(res.body.registration_endpoint).toBe(`${t.url}${FLAT}`);
    }
  });

  it('documents both styles in Swagger, each with its own body schema and operation ids', async () => {
    const doc = (await request(t.url).get('/api/docs-json').expect(200)).body;
    const envelope = doc.paths[ENVELOPE];
    const envelopeItem = doc.paths[`${ENVELOPE}/{client_id}`];
    expect(ref(envelope.post, '201')).toBe('#/components/schemas/ClientRegistrationDetailResponse');
    expect(ref(envelopeItem.get, '200')).toBe(
      '#/components/schemas/ClientRegistrationDetailResponse',
    );
    const flat = doc.paths[FLAT];
    const flatItem = doc.paths[`${FLAT}/{client_id}`];
    expect(ref(flat.post, '201')).toBe('#/components/schemas/ClientRegistrationResponse');
    expect(ref(flatItem.get, '200')).toBe('#/components/schemas/ClientRegistrationResponse');
    expect(ref(flatItem.put, '200')).toBe('#/components/schemas/ClientRegistrationResponse');
    expect(ref(flat.post, '400')).toBe('#/components/schemas/OAuthErrorResponse');
    expect(Object.keys(flatItem.delete.responses)).toEqual(expect.arrayContaining(['204', '401']));
    expect(flatItem.put.security).toEqual([{ registration_access_token: [] }]);
    expect(flat.post.operationId).toBe('FlatClientRegistration_register');
    expect(envelope.post.operationId).toBe('ClientRegistration_register');
  });
});

describe(`REGISTRATION_RESPONSE_STYLE=envelope (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RESPONSE_STYLE: 'envelope' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('only chooses which endpoint discovery advertises; both styles still answer', async () => {
    const res = await request(t.url).get('/.well-known/oauth-authorization-server').expect(200);
    expect(res.body.registration_endpoint).toBe(`${t.url}${ENVELOPE}`);
    const flat = await request(t.url).post(FLAT).send(valid).expect(201);
    expect(flat.body.client_id).toBeDefined();
    const envelope = await request(t.url).post(ENVELOPE).send(valid).expect(201);
    expect(envelope.body.data.client_id).toBeDefined();
  });
});
