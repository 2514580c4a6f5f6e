import { createServer, type Server, type Socket } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientMetadataDocumentEntity } from '../src/client-registration/entities/client-metadata-document.entity.js';
import { sha256Hex } from '../src/common/crypto/tokens.js';
import { authorize, AUTHORIZE_PATH, CookieJar, createUser, send } from './helpers/login-flow.js';
import { serveDocuments } from './helpers/metadata-documents.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { assertion, basic, clientKey, pkce, postForm } from './helpers/token-flow.js';

const REDIRECT = 'https://app.example.com/callback';
const PAR_PATH = '/api/v1/oauth/pushed-authorization';

/** A valid public-client document for `url`. */
const publicDoc = (url: string, extra: Record<string, unknown> = {}) => ({
  client_id: url,
  client_name: 'Metadata Document App',
  redirect_uris: [REDIRECT],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  scope: 'openid profile offline_access',
  ...extra,
});

// draft-ietf-oauth-client-id-metadata-document: an https URL client_id resolved by fetching it. The local
// document server needs the test-only CLIENT_ID_METADATA_ALLOW_PRIVATE=true (loopback, plain http).
describe(`Client ID Metadata Documents (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let docs: Awaited<ReturnType<typeof serveDocuments>>;
  let user: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    docs = await serveDocuments();
    t = await createTestApp({
      env: { CLIENT_ID_METADATA_ALLOW_PRIVATE: 'true', CLIENT_ID_METADATA_TIMEOUT_MS: '1000' },
    });
    user = await createUser(t);
  });
  afterAll(async () => {
    await t?.close();
    await docs?.close();
  });

  const authParams = (clientId: string) => {
    const p = pkce();
    return {
      verifier: p.verifier,
      params: {
        client_id: clientId,
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid profile offline_access',
        state: 's1',
        code_challenge: p.challenge,
        code_challenge_method: 'S256',
      },
    };
  };

  /** The authorize answer for a client that cannot be used: 400 invalid_client, never a redirect. */
  async function expectUnknownClient(clientId: string): Promise<void> {
    const res = await request(t.url)
      .get(AUTHORIZE_PATH)
      .query(authParams(clientId).params)
      .set('Accept', 'application/json');
    expect(res.status).toBe(400);
    expect(res.headers.location).toBeUndefined();
    expect(res.body.error).toBe('invalid_client');
  }

  it('is advertised in discovery', async () => {
    const meta = await request(t.url).get('/.well-known/oauth-authorization-server').expect(200);
    expect(meta.body.client_id_metadata_document_supported).toBe(true);
  });

  it('signs in a public client named by its document URL, through the pages, and issues tokens', async () => {
    const clientId = docs.json('/apps/public.json', (u) => publicDoc(u), {
      'cache-control': 'max-age=300',
    });
    const { params, verifier } = authParams(clientId);
    // The consent page shows the host that published the document.
    const jar = new CookieJar();
    const login = await authorize(t, params, user, { cookieJar: jar, consent: 'deny' });
    expect(login.error).toBe('access_denied');
    const consentHtml = await send(
      jar,
      `${t.url}${AUTHORIZE_PATH}?${new URLSearchParams(params).toString()}`,
    );
    const consentUrl = new URL(consentHtml.res.headers.get('location')!, t.url);
    const page = await send(jar, consentUrl);
    expect(page.body).toContain('Metadata Document App');
    expect(page.body).toContain(new URL(clientId).host);

    const flow = await authorize(t, params, user, { cookieJar: jar });
    expect(flow.error, flow.errorDescription).toBeUndefined();
    const tokens = await postForm(t, {
      grant_type: 'authorization_code',
      code: flow.code!,
      redirect_uri: REDIRECT,
      client_id: clientId,
      code_verifier: verifier,
    });
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    const refreshed = await postForm(t, {
      grant_type: 'refresh_token',
      refresh_token: tokens.body.refresh_token as string,
      client_id: clientId,
    });
    expect(refreshed.status).toBe(200);
    const info = await request(t.url)
      .post('/api/v1/oauth/introspect')
      .type('form')
      .send({ token: refreshed.body.access_token as string });
    expect(info.status).toBe(401);

    // Fetched once: the authorize, consent and token requests used the stored copy.
    expect(docs.hits('/apps/public.json')).toBe(1);
    const row = await t.dataSource
      .getRepository(ClientMetadataDocumentEntity)
      .findOneByOrFail({ urlHash: sha256Hex(clientId) });
    expect(row.clientId).toBe(clientId);
    expect(row.expiresAt - row.fetchedAt).toBe(300);
  });

  it('refuses shared-secret authentication for a document client at the token endpoint', async () => {
    const clientId = docs.json('/apps/no-secret.json', (u) => publicDoc(u));
    const res = await postForm(
      t,
      { grant_type: 'client_credentials' },
      { auth: basic(clientId, 'sec_guess') },
    );
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('authenticates a private_key_jwt document client at the PAR and token endpoints', async () => {
    const key = await clientKey();
    const clientId = docs.json('/apps/jwt.json', (u) =>
      publicDoc(u, {
        token_endpoint_auth_method: 'private_key_jwt',
        jwks: { keys: [key.publicJwk] },
        grant_types: ['authorization_code', 'client_credentials'],
      }),
    );
    const { params, verifier } = authParams(clientId);
    const { client_id: _id, ...pushedParams } = params;
    const pushed = await postForm(
      t,
      {
        ...pushedParams,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion(key, clientId, t.url),
      },
      { path: PAR_PATH },
    );
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(201);
    const flow = await authorize(
      t,
      { client_id: clientId, request_uri: pushed.body.request_uri as string },
      user,
    );
    expect(flow.code).toBeDefined();
    const tokens = await postForm(t, {
      grant_type: 'authorization_code',
      code: flow.code!,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertion(key, clientId, t.url),
    });
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  });

  it('bounds the cache lifetime by CLIENT_ID_METADATA_MIN_TTL / _MAX_TTL', async () => {
    const long = docs.json('/apps/long.json', (u) => publicDoc(u), {
      'cache-control': 'public, max-age=99999999',
    });
    const none = docs.json('/apps/no-store.json', (u) => publicDoc(u), {
      'cache-control': 'no-store',
    });
    for (const id of [long, none]) {
      const res = await send(
        new CookieJar(),
        `${t.url}${AUTHORIZE_PATH}?${new URLSearchParams(authParams(id).params).toString()}`,
      );
      expect(res.res.status).toBe(302);
    }
    const repo = t.dataSource.getRepository(ClientMetadataDocumentEntity);
    const l = await repo.findOneByOrFail({ urlHash: sha256Hex(long) });
    const n = await repo.findOneByOrFail({ urlHash: sha256Hex(none) });
    expect(l.expiresAt - l.fetchedAt).toBe(86400);
    expect(n.expiresAt - n.fetchedAt).toBe(60);
  });

  describe('refused documents: the client is unknown (invalid_client, never redirected)', () => {
    it('a document whose client_id is not its URL', async () => {
      await expectUnknownClient(
        docs.json('/bad/other-id.json', () => publicDoc('https://other.example/client.json')),
      );
    });

    it.each(['client_secret_basic', 'client_secret_post'])(
      'a document with token_endpoint_auth_method %s (no shared secrets)',
      async (method) => {
        await expectUnknownClient(
          docs.json(`/bad/${method}.json`, (u) =>
            publicDoc(u, { token_endpoint_auth_method: method }),
          ),
        );
      },
    );

    it('a document carrying a client_secret', async () => {
      await expectUnknownClient(
        docs.json('/bad/secret.json', (u) => publicDoc(u, { client_secret: 'sec_x' })),
      );
    });

    it('a document the registration rules refuse', async () => {
      await expectUnknownClient(
        docs.json('/bad/js-redirect.json', (u) =>
          publicDoc(u, { redirect_uris: ['javascript:alert(1)'] }),
        ),
      );
      await expectUnknownClient(
        docs.json('/bad/types.json', (u) => publicDoc(u, { redirect_uris: 'not-a-list' })),
      );
    });

    it('a redirect (never followed)', async () => {
      const target = docs.json('/bad/redirect-target.json', (u) => publicDoc(u));
      const url = docs.route('/bad/redirect.json', (_req, res) => {
        res.statusCode = 302;
        res.setHeader('location', target);
        res.end();
      });
      await expectUnknownClient(url);
      expect(docs.hits('/bad/redirect.json')).toBe(1);
      expect(docs.hits('/bad/redirect-target.json')).toBe(0);
    });

    it('an oversized document (CLIENT_ID_METADATA_MAX_BYTES), declared or streamed', async () => {
      // Valid documents but for an unknown member that only makes them large (it would be dropped).
      await expectUnknownClient(
        docs.json('/bad/huge.json', (u) => publicDoc(u, { padding: 'x'.repeat(6000) })),
      );
      const streamed = docs.route('/bad/streamed.json', (_req, res) => {
        const body = JSON.stringify(
          publicDoc(`${docs.origin}/bad/streamed.json`, { padding: 'y'.repeat(6000) }),
        );
        res.setHeader('content-type', 'application/json');
        // No Content-Length: chunked, so only the running count can stop it.
        res.write(body.slice(0, 100));
        res.end(body.slice(100));
      });
      await expectUnknownClient(streamed);
      // The same document under the limit is accepted.
      const small = docs.json('/ok/padded.json', (u) => publicDoc(u, { padding: 'z'.repeat(100) }));
      const ok = await request(t.url)
        .get(AUTHORIZE_PATH)
        .query(authParams(small).params)
        .set('Accept', 'application/json');
      expect(ok.status).toBe(302);
    });

    it('a document that is not JSON, a 404, and a server that never answers', async () => {
      await expectUnknownClient(
        docs.route('/bad/html.json', (_req, res) => res.end('<html>hello</html>')),
      );
      await expectUnknownClient(`${docs.origin}/bad/missing.json`);
      const hanging = docs.route('/bad/hang.json', () => {
        /* never answers: the fetch times out (CLIENT_ID_METADATA_TIMEOUT_MS) */
      });
      await expectUnknownClient(hanging);
    });

    it('a URL that is not a metadata document client_id (no path, fragment, dot segments)', async () => {
      await expectUnknownClient(`${docs.origin}/`);
      await expectUnknownClient(`${docs.origin}/apps/public.json#x`);
      await expectUnknownClient(`${docs.origin}/apps/../apps/public.json`);
      await expectUnknownClient(`${docs.origin}/${'a'.repeat(260)}`);
    });

    it('a failed document is not fetched again at once (failures are remembered)', async () => {
      const url = docs.route('/bad/once.json', (_req, res) => {
        res.statusCode = 500;
        res.end();
      });
      await expectUnknownClient(url);
      await expectUnknownClient(url);
      expect(docs.hits('/bad/once.json')).toBe(1);
    });
  });
});

describe(`Client ID Metadata Documents: SSRF protection and host policy (${TEST_DB_TYPE})`, () => {
  let strict: TestApp;
  let listed: TestApp;
  let off: TestApp;
  // A TCP listener on loopback that counts connections: the server must never open one.
  let trap: Server;
  let connections = 0;
  let trapPort = 0;

  beforeAll(async () => {
    trap = createServer((s: Socket) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    trapPort = (trap.address() as { port: number }).port;
    strict = await createTestApp();
    listed = await createTestApp({
      env: { CLIENT_ID_METADATA_HOSTS: 'apps.example.com, *.tools.example.org' },
    });
    off = await createTestApp({ env: { CLIENT_ID_METADATA_HOSTS: 'none' } });
  });
  afterAll(async () => {
    await strict?.close();
    await listed?.close();
    await off?.close();
    await new Promise<void>((resolve) => trap.close(() => resolve()));
  });

  const tryClient = (t: TestApp, clientId: string) =>
    request(t.url)
      .get(AUTHORIZE_PATH)
      .query({ client_id: clientId, response_type: 'code', redirect_uri: REDIRECT })
      .set('Accept', 'application/json');

  it.each([
    ['a loopback IP literal', () => `https://127.0.0.1:${trapPort}/client.json`],
    ['a name that resolves to loopback', () => `https://localhost:${trapPort}/client.json`],
    ['an IPv4-mapped loopback address', () => `https://[::ffff:127.0.0.1]:${trapPort}/client.json`],
    ['a private address', () => 'https://10.0.0.1/client.json'],
    ['a link-local (cloud metadata) address', () => 'https://169.254.169.254/latest/meta-data'],
    ['plain http', () => `http://127.0.0.1:${trapPort}/client.json`],
  ])('refuses %s without connecting', async (_label, url) => {
    const res = await tryClient(strict, url());
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_client');
    expect(connections).toBe(0);
  });

  it('fetches only from the hosts CLIENT_ID_METADATA_HOSTS lists', async () => {
    const res = await tryClient(listed, `https://127.0.0.1:${trapPort}/client.json`);
    expect(res.body.error).toBe('invalid_client');
    // Listed hosts are candidates (this one does not resolve here, so it is refused after the lookup).
    const svc = listed.app.get(
      (await import('../src/client-registration/index.js')).ClientIdMetadataService,
    );
    expect(svc.isCandidate('https://apps.example.com/c.json')).toBe(true);
    expect(svc.isCandidate('https://a.tools.example.org/c.json')).toBe(true);
    expect(svc.isCandidate('https://evil.example.com/c.json')).toBe(false);
    expect(svc.isCandidate('https://apps.example.com.evil.net/c.json')).toBe(false);
    expect(connections).toBe(0);
  });

  it('CLIENT_ID_METADATA_HOSTS=none turns the feature off (and discovery says so)', async () => {
    const meta = await request(off.url).get('/.well-known/openid-configuration').expect(200);
    expect(meta.body.client_id_metadata_document_supported).toBe(false);
    const res = await tryClient(off, 'https://apps.example.com/client.json');
    expect(res.body.error).toBe('invalid_client');
  });
});
