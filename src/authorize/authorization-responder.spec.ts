import type { ArgumentsHost } from '@nestjs/common';
import express, { type Request, type Response } from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { OAuthError } from '../common/errors/oauth-error.js';
import { AuthorizationExceptionFilter } from './authorization-exception.filter.js';
import { AuthorizationPageError } from './authorization-request.js';
import { AuthorizationResponder } from './authorization-responder.js';
import type { AuthorizationResult } from './authorization-result.js';
import { resolveAuthorizeSettings, type LoginHandler } from './authorize.options.js';
import type { InteractionService } from './interaction.service.js';

const SESSION_VALUE = `ses_${'a'.repeat(43)}`;

/** An Express app whose routes write the given results through the responder (real HTTP). */
function appFor(issuer: string, results: Record<string, AuthorizationResult>) {
  const settings = resolveAuthorizeSettings({ issuer });
  const responder = new AuthorizationResponder(
    settings,
    {} as LoginHandler,
    {} as InteractionService,
  );
  const filter = new AuthorizationExceptionFilter(responder);
  const app = express();
  app.all('/result/:name', (req: Request, res: Response) => {
    responder.write(req, res, results[req.params.name as string]);
  });
  app.get('/cookies', (req: Request, res: Response) => {
    res.json(responder.browserOf(req));
  });
  app.get('/throw/:kind', (req: Request, res: Response) => {
    const thrown: Record<string, unknown> = {
      db: Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
      page: new AuthorizationPageError('invalid_client', 'Unknown client.'),
      bug: new TypeError('x is undefined'),
      oauth: OAuthError.rateLimited(30),
    };
    const host = {
      switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
    } as unknown as ArgumentsHost;
    filter.catch(thrown[req.params.kind as string], host);
  });
  return app;
}

const RESULTS: Record<string, AuthorizationResult> = {
  login: {
    kind: 'redirect',
    location: '/api/v1/oauth/login?request=req_1',
    cookies: [
      { cookie: 'binding', value: 'b'.repeat(43) },
      { cookie: 'session', value: SESSION_VALUE, maxAgeSeconds: 60 },
    ],
  },
  signOut: { kind: 'redirect', location: '/bye', cookies: [{ cookie: 'session', value: null }] },
  toClient: { kind: 'error', to: 'client', location: 'https://rp.example/cb?error=access_denied' },
  consent: { kind: 'consent', page: '<p>consent</p>', redirectTarget: 'https://rp.example/cb' },
  limited: {
    kind: 'error',
    to: 'user',
    error: {
      error: 'rate_limit_exceeded',
      description: 'Too many.',
      status: 429,
      retryAfterSeconds: 7,
    },
  },
  signedOut: {
    kind: 'page',
    page: '<p>signed out</p>',
    json: { signed_out: true },
    cookies: [{ cookie: 'session', value: null }],
  },
  confirmLogout: { kind: 'page', page: '<form></form>', redirectTarget: 'myapp:/bye' },
  signOutRefused: {
    kind: 'error',
    to: 'user',
    error: { error: 'invalid_request', description: 'Bad hint.', status: 400 },
    title: 'Sign-out failed',
  },
  signOutBroken: {
    kind: 'error',
    to: 'user',
    error: { error: 'server_error', description: 'Broken.', status: 500 },
    title: 'Sign-out failed',
  },
  withLink: {
    kind: 'error',
    to: 'user',
    error: { error: 'invalid_scope', description: 'Bad scope.', status: 400 },
    returnLink: { href: 'https://rp.example/cb?error=invalid_scope', host: 'rp.example' },
  },
};

describe(AuthorizationResponder.name, () => {
  const http = appFor('http://localhost:3000', RESULTS);

  it('redirects with 302 after GET and 303 after POST, no-store, and sets the cookies of the result', async () => {
    const get = await request(http).get('/result/login');
    expect(get.status).toBe(302);
    expect(get.headers.location).toBe('/api/v1/oauth/login?request=req_1');
    expect(get.headers['cache-control']).toBe('no-store');
    const cookies = get.headers['set-cookie'] as unknown as string[];
    expect(cookies).toHaveLength(2);
    expect(cookies[0]).toMatch(/^authms_binding=b{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(cookies[1]).toMatch(
      new RegExp(
        `^authms_session=${SESSION_VALUE}; Max-Age=60; Path=/; Expires=.*; HttpOnly; SameSite=Lax$`,
      ),
    );
    const post = await request(http).post('/result/login');
    expect(post.status).toBe(303);
  });

  it('uses the __Host- prefix and Secure on an https issuer, and clears the session cookie on sign-out', async () => {
    const https = appFor('https://as.example', RESULTS);
    const login = await request(https).get('/result/login');
    const cookies = login.headers['set-cookie'] as unknown as string[];
    expect(cookies[0]).toMatch(
      /^__Host-authms_binding=.*; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    expect(cookies[1]).toMatch(/^__Host-authms_session=.*; Secure; SameSite=Lax$/);
    const out = await request(https).get('/result/signOut');
    expect(out.headers['set-cookie']).toEqual([
      '__Host-authms_session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax',
    ]);
  });

  it('sends an error the client may see to its redirect URI (RFC 6749 §4.1.2.1)', async () => {
    const res = await request(http).get('/result/toClient');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('https://rp.example/cb?error=access_denied');
  });

  it('renders the consent page with no-store, no framing and the redirect target in form-action', async () => {
    const res = await request(http).get('/result/consent');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toContain(
      "form-action 'self' https://rp.example",
    );
    expect(res.text).toBe('<p>consent</p>');
  });

  it('shows an error to the user as a page with its status and Retry-After, or as JSON to an API caller', async () => {
    const page = await request(http).get('/result/limited').set('Accept', 'text/html');
    expect(page.status).toBe(429);
    expect(page.headers['retry-after']).toBe('7');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toContain('Request refused');
    expect(page.text).toContain('rate_limit_exceeded');
    const json = await request(http).get('/result/limited').set('Accept', 'application/json');
    expect(json.status).toBe(429);
    expect(json.headers['retry-after']).toBe('7');
    expect(json.headers['cache-control']).toBe('no-store');
    expect(json.body).toEqual({ error: 'rate_limit_exceeded', error_description: 'Too many.' });
  });

  it('renders a page result as HTML, or its JSON to an API caller, with its cookies (logout pages)', async () => {
    const page = await request(http).get('/result/signedOut').set('Accept', 'text/html');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-security-policy']).toContain("form-action 'self';");
    expect(page.text).toBe('<p>signed out</p>');
    expect(String(page.headers['set-cookie'])).toMatch(/^authms_session=;/);
    const json = await request(http).get('/result/signedOut').set('Accept', 'application/json');
    expect(json.status).toBe(200);
    expect(json.headers['cache-control']).toBe('no-store');
    expect(json.body).toEqual({ signed_out: true });
    expect(String(json.headers['set-cookie'])).toMatch(/^authms_session=;/);
    // A page without JSON (the confirmation form) is HTML for every caller; its target widens form-action.
    const form = await request(http).get('/result/confirmLogout').set('Accept', 'application/json');
    expect(form.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(form.headers['content-security-policy']).toContain("form-action 'self' myapp:;");
  });

  it('titles an error page as the result says, and a server error always as one', async () => {
    const res = await request(http).get('/result/signOutRefused');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Sign-out failed');
    expect(res.text).not.toContain('Authorization failed');
    const broken = await request(http).get('/result/signOutBroken');
    expect(broken.status).toBe(500);
    expect(broken.text).toContain('Server error');
    expect(broken.text).not.toContain('Sign-out failed');
  });

  it('offers the error response as a plain link on the page when the result carries one (RFC 9700 §4.11.2)', async () => {
    const res = await request(http).get('/result/withLink');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Authorization failed');
    expect(res.text).toContain('href="https://rp.example/cb?error=invalid_scope"');
  });

  it('reads the cookies with cookie-parser: first value wins, URI-decoded, JSON cookies ignored', async () => {
    const res = await request(http)
      .get('/cookies')
      .set('Cookie', 'a=1; a=2; b=%41%42; c="q"; j=j:{"x":1}')
      .expect(200);
    expect(res.body.cookies).toEqual({ a: '1', b: 'AB', c: 'q' });
    expect(typeof res.body.clientIp).toBe('string');
  });
});

describe(AuthorizationExceptionFilter.name, () => {
  const http = appFor('http://localhost:3000', RESULTS);

  it('answers a database outage with the 503 page and Retry-After, without a stack', async () => {
    const res = await request(http).get('/throw/db').set('Accept', 'text/html');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.text).toContain('temporarily_unavailable');
    expect(res.text).not.toContain('SQLITE_BUSY');
  });

  it('shows a thrown AuthorizationPageError as it says, and anything else as a 500 page', async () => {
    const page = await request(http).get('/throw/page').set('Accept', 'text/html');
    expect(page.status).toBe(400);
    expect(page.text).toContain('invalid_client');
    const bug = await request(http).get('/throw/bug').set('Accept', 'application/json');
    expect(bug.status).toBe(500);
    expect(bug.body).toEqual({
      error: 'server_error',
      error_description: 'The server encountered an internal error.',
    });
  });

  it('leaves OAuthErrors of guards (the rate limit) to the JSON of the application-wide filter', async () => {
    const res = await request(http).get('/throw/oauth').set('Accept', 'text/html');
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['retry-after']).toBe('30');
    expect(res.body.error).toBe('rate_limit_exceeded');
  });
});
