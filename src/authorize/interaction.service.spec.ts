import { describe, expect, it, vi } from 'vitest';
import { AuthorizationResponsesService } from './authorization-responses.service.js';
import type { PendingAuthorizationRequest } from './authorization-requests.service.js';
import { resolveAuthorizeSettings } from './authorize.options.js';
import { InteractionService } from './interaction.service.js';

const settings = resolveAuthorizeSettings({ issuer: 'https://as.example' });
const pending = {
  id: 'req_1',
  clientId: 'c1',
  redirectUri: 'https://rp.example/cb',
  redirectUriProvided: true,
  scopes: ['openid'],
  state: 'st',
  nonce: null,
  codeChallenge: null,
  resources: null,
  prompt: [],
  maxAge: null,
  loginHint: null,
  userId: 'usr_1',
  authTime: 1,
  createdAt: 0,
  expiresAt: 9_999_999_999,
  consumedAt: null,
} as unknown as PendingAuthorizationRequest;
const sessionCookie = { cookie: 'session' as const, value: 'ses_new', maxAgeSeconds: 60 };
const browser = { cookies: {}, clientIp: '203.0.113.7' };

/** The service with plain-object collaborators: the flow needs no HTTP request. */
function service(overrides: { covers?: () => Promise<boolean>; found?: unknown } = {}) {
  const sessions = {
    start: vi.fn(() =>
      Promise.resolve({
        idHash: 'h',
        userId: 'usr_1',
        authTime: 1,
        sid: 'sid1',
        expiresAt: 2,
        replaced: null,
        cookie: sessionCookie,
      }),
    ),
    fromCookies: vi.fn(() => Promise.resolve({ userId: 'usr_1', sid: 'sid1' })),
    recordClient: vi.fn(() => Promise.resolve()),
  };
  const requests = {
    find: vi.fn(() =>
      Promise.resolve(overrides.found ?? { ok: true, request: pending, csrfToken: 'csrf' }),
    ),
    setUser: vi.fn(() => Promise.resolve()),
    consume: vi.fn(() => Promise.resolve(true)),
  };
  const consents = { covers: vi.fn(overrides.covers ?? (() => Promise.resolve(true))) };
  const responses = new AuthorizationResponsesService(
    settings,
    { issue: () => Promise.resolve('ac_code') } as never,
    sessions as never,
  );
  const flow = new InteractionService(
    {} as never,
    {} as never,
    requests as never,
    sessions as never,
    consents as never,
    { notify: () => Promise.resolve() } as never,
    responses,
  );
  return { flow, sessions, requests };
}

describe(InteractionService.name, () => {
  it('keeps the new session cookie on the 503 page when the database fails after sign-in', async () => {
    const down = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const { flow } = service({ covers: () => Promise.reject(down) });
    const result = await flow.completeLogin(
      'req_1',
      { type: 'authenticated', userId: 'usr_1' },
      browser,
    );
    expect(result).toEqual({
      kind: 'error',
      to: 'user',
      error: {
        error: 'temporarily_unavailable',
        description: 'The server is temporarily unavailable, retry later.',
        status: 503,
        retryAfterSeconds: 5,
      },
      cookies: [sessionCookie],
    });
  });

  it('refuses to finish a login for a request started in another browser, before any session starts', async () => {
    const { flow, sessions } = service({ found: { ok: false, reason: 'foreign' } });
    const result = await flow.completeLogin(
      'req_1',
      { type: 'authenticated', userId: 'usr_1' },
      browser,
    );
    expect(result).toMatchObject({
      kind: 'error',
      to: 'user',
      error: { status: 403, error: 'access_denied' },
    });
    expect(sessions.start).not.toHaveBeenCalled();
  });

  it('sends a denial to the client with state and iss (RFC 6749 §4.1.2.1, RFC 9207)', async () => {
    const { flow, requests } = service();
    const result = await flow.consentSubmitted(
      { request: 'req_1', csrf_token: 'csrf', decision: 'deny' },
      browser,
    );
    expect(requests.consume).toHaveBeenCalledWith('req_1');
    expect(result).toEqual({
      kind: 'error',
      to: 'client',
      location:
        'https://rp.example/cb?error=access_denied&error_description=The+user+denied+the+request&state=st&iss=https%3A%2F%2Fas.example',
    });
  });

  it('refuses a consent post whose CSRF token does not match', async () => {
    const { flow, requests } = service();
    const result = await flow.consentSubmitted(
      { request: 'req_1', csrf_token: 'other', decision: 'allow' },
      browser,
    );
    expect(result).toMatchObject({ kind: 'error', to: 'user', error: { status: 403 } });
    expect(requests.consume).not.toHaveBeenCalled();
  });
});
