import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedClient } from './helpers/clients.js';
import { AUTHORIZE_PATH, CookieJar, createUser, parseForm, send } from './helpers/login-flow.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { pkce } from './helpers/token-flow.js';

const REDIRECT = 'https://app.example.com/callback';
const LOGIN = '/api/v1/oauth/login';

// Issue 7 item 9: the consent page showed a self-declared client_name and logo, but not where the user is
// sent nor the resources; the login page printed the client name twice.
describe(`what the login and consent pages show (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Opens the login page, signs in, and returns both pages' HTML. */
  async function pages(clientId: string, extra: Record<string, string> = {}) {
    const user = await createUser(t);
    const jar = new CookieJar();
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'openid profile',
      state: 'st',
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
    });
    for (const [k, v] of Object.entries(extra)) q.append(k, v);
    const start = await send(jar, `${t.url}${AUTHORIZE_PATH}?${q.toString()}`);
    const login = await send(jar, new URL(start.res.headers.get('location')!, t.url));
    const form = parseForm(login.body)!;
    const posted = await send(jar, `${t.url}${LOGIN}`, {
      form: { ...form.hidden, username: user.username, password: user.password },
    });
    const consent = await send(jar, new URL(posted.res.headers.get('location')!, t.url));
    expect(consent.res.status).toBe(200);
    return { login: login.body, consent: consent.body };
  }

  const count = (html: string, text: string) => html.split(text).length - 1;

  it('marks a self-registered client unverified, names the host, lists resources, drops off-site URLs', async () => {
    const reg = await request(t.url)
      .post('/connect/register')
      .send({
        client_name: 'Totally Your Bank',
        redirect_uris: [REDIRECT],
        logo_uri: 'https://bank.example/logo.png',
        policy_uri: 'https://app.example.com/privacy',
        tos_uri: 'https://bank.example/tos',
        client_uri: 'https://www.app.example.com/',
      })
      .expect(201);
    const { login, consent } = await pages(reg.body.client_id, {
      resource: 'https://api.example.com/v1',
    });
    expect(consent).toContain('Unverified application');
    expect(consent).toContain('you will be sent to <strong>app.example.com</strong>');
    expect(consent).toContain('<code>https://api.example.com/v1</code>');
    // Another site's logo and terms are not shown; same-site policy and home page are.
    expect(consent).not.toContain('bank.example');
    expect(consent).not.toContain('<img');
    expect(consent).toContain('href="https://app.example.com/privacy"');
    expect(consent).toContain('href="https://www.app.example.com/"');
    // The name appears once on each page.
    expect(count(consent, 'Totally Your Bank')).toBe(1);
    expect(count(login, 'Totally Your Bank')).toBe(1);
    expect(login).not.toContain('bank.example');
  });

  it('shows a same-site logo, and no unverified mark for a client not registered by itself', async () => {
    const c = await seedClient(t, {
      clientName: 'Photo Printer',
      logoUri: 'https://cdn.app.example.com/logo.png',
    });
    const { login, consent } = await pages(c.clientId);
    expect(consent).not.toContain('Unverified application');
    expect(consent).toContain('<img src="https://cdn.app.example.com/logo.png" alt="">');
    expect(login).toContain('<img src="https://cdn.app.example.com/logo.png" alt="">');
    expect(consent).toContain('you will be sent to <strong>app.example.com</strong>');
    expect(consent).not.toContain('class="resources"');
    expect(count(login, 'Photo Printer')).toBe(1);
    expect(count(consent, 'Photo Printer')).toBe(1);
  });
});
