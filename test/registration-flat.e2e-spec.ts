import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

const REGISTER = '/api/v1/oauth/register';
const valid = { redirect_uris: ['https://app.example.com/callback'], client_name: 'Flat' };

// REGISTRATION_RESPONSE_STYLE=flat: plain RFC 7591 §3.2.1 / RFC 7592 §3 bodies for strict clients.
describe(`client registration, flat style (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RESPONSE_STYLE: 'flat' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('registers, reads, updates and deletes with the client information at the top level', async () => {
    const reg = await request(t.url).post(REGISTER).send(valid).expect(201);
    expect(reg.headers['cache-control']).toBe('no-store');
    expect(reg.body).not.toHaveProperty('data');
    expect(reg.body).not.toHaveProperty('code');
    expect(reg.body).toMatchObject({
      client_name: 'Flat',
      redirect_uris: valid.redirect_uris,
      token_endpoint_auth_method: 'client_secret_basic',
    });
    const id = reg.body.client_id as string;
    expect(reg.body.registration_client_uri).toBe(`${t.url}/api/v1/oauth/register/${id}`);
    const token = reg.body.registration_access_token as string;

    const read = await request(t.url)
      .get(`${REGISTER}/${id}`)
      .auth(token, { type: 'bearer' })
      .expect(200);
    expect(read.body).toMatchObject({ client_id: id, registration_access_token: token });
    expect(read.body).not.toHaveProperty('client_secret');

    const upd = await request(t.url)
      .put(`${REGISTER}/${id}`)
      .auth(token, { type: 'bearer' })
      .send({ ...valid, client_name: 'Flat 2' })
      .expect(200);
    expect(upd.body).toMatchObject({ client_id: id, client_name: 'Flat 2' });
    const next = upd.body.registration_access_token as string;

    const del = await request(t.url)
      .delete(`${REGISTER}/${id}`)
      .auth(next, { type: 'bearer' })
      .expect(204);
    expect(del.text).toBe('');
  });

  it('keeps errors flat and identical to the envelope style', async () => {
    expectOAuthError(await request(t.url).post(REGISTER).send({}), 400, 'invalid_client_metadata');
    expectOAuthError(
      await request(t.url)
        .get(`${REGISTER}/01ARZ3NDEKTSV4RRFFQ69G5FAV`)
        .auth('reg_x', { type: 'bearer' }),
      401,
      'invalid_token',
    );
  });

  it('documents ClientRegistrationResponse (not the envelope) as the success body in Swagger', async () => {
    const doc = (await request(t.url).get('/api/docs-json').expect(200)).body;
    const ref = (
      op: { responses: Record<string, { content: Record<string, { schema: { $ref: string } }> }> },
      s: string,
    ) => op.responses[s].content['application/json'].schema.$ref;
    expect(ref(doc.paths['/api/v1/oauth/register'].post, '201')).toBe(
      '#/components/schemas/ClientRegistrationResponse',
    );
    const item = doc.paths['/api/v1/oauth/register/{client_id}'];
    expect(ref(item.get, '200')).toBe('#/components/schemas/ClientRegistrationResponse');
    expect(ref(item.put, '200')).toBe('#/components/schemas/ClientRegistrationResponse');
  });
});
