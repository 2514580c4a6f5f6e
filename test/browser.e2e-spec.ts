import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedClient } from './helpers/clients.js';
import { createUser } from './helpers/login-flow.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { pkce } from './helpers/token-flow.js';

/** Debian's Chromium (`apt-get install chromium`); `npx playwright install` cannot download browsers here. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// In CI the browser must be there (.ci/run installs it); locally the suite is skipped without it.
const run = existsSync(CHROMIUM) || Boolean(process.env.CI);
const REDIRECT = 'https://app.example.com/callback';

describe.runIf(run)(`real browser: login, consent and Swagger UI (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('signs in through the login form, approves consent and lands on the client with code and iss (RFC 9207)', async () => {
    const user = await createUser(t);
    const client = await seedClient(t, { clientName: 'Browser Test App' });
    const context = await browser.newContext();
    const page = await context.newPage();
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused/i.test(m.text())) blocked.push(m.text());
    });
    // The client's redirect URI is not reachable from here: answer it in the browser.
    let landed: URL | null = null;
    await page.route('https://app.example.com/**', async (route) => {
      landed = new URL(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>client</p>' });
    });
    const { challenge } = pkce();
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: REDIRECT,
      scope: 'openid profile',
      state: 'browser-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    await page.goto(`${t.url}/api/v1/oauth/authorize?${q.toString()}`);
    await expect.poll(() => page.url()).toContain('/api/v1/oauth/login');
    expect(await page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    // The stylesheet loaded under the page's CSP (no inline styles allowed).
    expect(
      await page.evaluate<string>("getComputedStyle(document.querySelector('main')).maxWidth"),
    ).toBe('416px');

    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill('wrong password!!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The username or password is incorrect.').waitFor();

    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Authorize access' }).waitFor();
    expect(await page.getByText('Browser Test App').first().isVisible()).toBe(true);
    expect(await page.getByText('Read your profile').isVisible()).toBe(true);

    await page.getByRole('button', { name: 'Allow' }).click();
    await expect.poll(() => landed?.href ?? null, { timeout: 10_000 }).not.toBeNull();
    const result = landed as unknown as URL;
    expect(`${result.origin}${result.pathname}`).toBe(REDIRECT);
    expect(result.searchParams.get('code')).toMatch(/^ac_/);
    expect(result.searchParams.get('state')).toBe('browser-state');
    expect(result.searchParams.get('iss')).toBe(t.url);
    expect(blocked).toEqual([]);

    const cookies = await context.cookies(t.url);
    const session = cookies.find((c) => c.name === 'authms_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    await context.close();
  });

  it('opens Swagger UI at /api/docs listing the registration and token operations', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/api/docs`);
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    const paths = await page
      .locator('.opblock-summary-path')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-path') ?? e.textContent ?? ''));
    const listed = paths.map((p) => p.replace(/\u200b/g, ''));
    expect(listed).toContain('/api/v1/oauth/register');
    expect(listed).toContain('/api/v1/oauth/register/{client_id}');
    expect(listed).toContain('/api/v1/oauth/token');
    expect(listed).toContain('/api/v1/oauth/authorize');
    await page.close();
  });
});
