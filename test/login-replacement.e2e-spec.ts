import { Controller, Get, Injectable, Module, Query, Req, Res } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Request, Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthorizationFlowService,
  escapeHtml,
  sendHtml,
  type LoginContext,
  type LoginHandler,
  type LoginOutcome,
} from '../src/authorize/index.js';
import { seedClient } from './helpers/clients.js';
import {
  authorize,
  AUTHORIZE_PATH,
  CookieJar,
  createUser,
  parseForm,
  send,
} from './helpers/login-flow.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { basic, postForm } from './helpers/token-flow.js';

const REDIRECT = 'https://app.example.com/callback';
const LOGIN = '/api/v1/oauth/login';

/**
 * Stands in for an external directory (an upstream IdP, LDAP...): PINs to the `sub` of local users (the
 * token endpoint and userinfo read the user's claims from UsersService, so identities map to local users).
 */
@Injectable()
class PinDirectory {
  readonly pins = new Map<string, string>();
  lookup(pin: string): string | null {
    return this.pins.get(pin) ?? null;
  }
}

@Module({ providers: [PinDirectory], exports: [PinDirectory] })
class PinDirectoryModule {}

/** A replacement login step with its own page and its own dependency, knowing nothing of UsersService. */
@Injectable()
class PinLoginHandler implements LoginHandler {
  constructor(private readonly directory: PinDirectory) {}

  start(ctx: LoginContext, _req: Request, res: Response): Promise<LoginOutcome> {
    this.page(res, 200, ctx, '');
    return Promise.resolve({ type: 'responded' });
  }

  submit(
    ctx: LoginContext,
    body: Record<string, unknown>,
    _req: Request,
    res: Response,
  ): Promise<LoginOutcome> {
    const userId = typeof body.pin === 'string' ? this.directory.lookup(body.pin) : null;
    if (!userId) {
      this.page(res, 401, ctx, 'Unknown PIN');
      return Promise.resolve({ type: 'responded' });
    }
    return Promise.resolve({ type: 'authenticated', userId, authTime: 1_700_000_000 });
  }

  private page(res: Response, status: number, ctx: LoginContext, error: string): void {
    sendHtml(
      res,
      status,
      `<!DOCTYPE html><html lang="en"><body><p>${escapeHtml(error)}</p>
<form method="post" action="${escapeHtml(ctx.actionUrl)}">
<input type="hidden" name="request" value="${escapeHtml(ctx.requestId)}">
<input type="hidden" name="csrf_token" value="${escapeHtml(ctx.csrfToken)}">
<label for="pin">PIN</label><input id="pin" name="pin">
</form></body></html>`,
      { redirectTarget: ctx.redirectUri },
    );
  }
}

/** The user a gateway in front of the server vouches for (set by the test once the user exists). */
@Injectable()
class GatewayIdentity {
  userId = '';
}

@Module({ providers: [GatewayIdentity], exports: [GatewayIdentity] })
class GatewayModule {}

/** A replacement that trusts a gateway: every browser is the gateway's user, no page at all. */
@Injectable()
class FixedUserLoginHandler implements LoginHandler {
  constructor(private readonly gateway: GatewayIdentity) {}
  start(): Promise<LoginOutcome> {
    return Promise.resolve({ type: 'authenticated', userId: this.gateway.userId });
  }
  submit(): Promise<LoginOutcome> {
    return this.start();
  }
}

/** The accounts an "upstream IdP" knows, mapped to local users by the test. */
@Injectable()
class UpstreamAccounts {
  readonly users = new Map<string, string>();
}

/**
 * The callback route of an upstream identity provider: the IdP sent the browser back with the pending
 * request id (as its `state`); the route resumes the authorization through AuthorizationFlowService.
 */
@Controller('upstream')
class UpstreamCallbackController {
  constructor(
    private readonly accounts: UpstreamAccounts,
    private readonly moduleRef: ModuleRef,
  ) {}

  @Get('callback')
  async callback(
    @Query('request') requestId: string,
    @Query('account') account: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const flow = this.moduleRef.get(AuthorizationFlowService, { strict: false });
    const userId = this.accounts.users.get(account);
    if (!userId) {
      res.status(401).send('unknown account');
      return;
    }
    await flow.completeLogin(requestId, { type: 'authenticated', userId }, req, res);
  }
}

@Module({
  controllers: [UpstreamCallbackController],
  providers: [UpstreamAccounts],
  exports: [UpstreamAccounts],
})
class UpstreamModule {}

/** Sends the browser "to the upstream IdP" (here straight to the callback, as the IdP would). */
@Injectable()
class UpstreamLoginHandler implements LoginHandler {
  start(ctx: LoginContext, _req: Request, res: Response): Promise<LoginOutcome> {
    res.redirect(302, `/api/v1/upstream/callback?request=${ctx.requestId}&account=carol`);
    return Promise.resolve({ type: 'responded' });
  }
  submit(): Promise<LoginOutcome> {
    return Promise.reject(new Error('the upstream handler has no form'));
  }
}

describe(`replacing the login step (${TEST_DB_TYPE})`, () => {
  describe('with a handler that has its own page and dependencies', () => {
    let t: TestApp;
    let alice: Awaited<ReturnType<typeof createUser>>;
    beforeAll(async () => {
      t = await createTestApp({
        authorize: { loginHandler: PinLoginHandler, imports: [PinDirectoryModule] },
      });
      alice = await createUser(t, 'alice');
      t.app.get(PinDirectory).pins.set('424242', alice.id);
    });
    afterAll(async () => {
      await t?.close();
    });

    async function openPinPage(jar: CookieJar, clientId: string) {
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: REDIRECT,
        scope: 'openid',
        state: 's1',
      });
      const start = await send(jar, `${t.url}${AUTHORIZE_PATH}?${q.toString()}`);
      const page = await send(jar, new URL(start.res.headers.get('location')!, t.url));
      return { ...page, form: parseForm(page.body)! };
    }

    it('shows the replacement page and completes the flow with its identity, up to tokens', async () => {
      const c = await seedClient(t);
      const jar = new CookieJar();
      const { body, form } = await openPinPage(jar, c.clientId);
      expect(body).toContain('<label for="pin">PIN</label>');
      expect(body).not.toContain('password');
      const wrong = await send(jar, `${t.url}${LOGIN}`, {
        form: { ...form.hidden, pin: '000000' },
      });
      expect(wrong.res.status).toBe(401);
      const ok = await send(jar, `${t.url}${LOGIN}`, { form: { ...form.hidden, pin: '424242' } });
      expect(ok.res.status).toBe(303);
      const consentUrl = new URL(ok.res.headers.get('location')!, t.url);
      const consent = parseForm((await send(jar, consentUrl)).body)!;
      const done = await send(jar, `${t.url}/api/v1/oauth/consent`, {
        form: { ...consent.hidden, decision: 'allow' },
      });
      const location = new URL(done.res.headers.get('location')!);
      expect(location.searchParams.get('state')).toBe('s1');
      const code = location.searchParams.get('code')!;
      const token = await postForm(
        t,
        { grant_type: 'authorization_code', code, redirect_uri: REDIRECT },
        { auth: basic(c.clientId, c.clientSecret!) },
      );
      expect(token.status, JSON.stringify(token.body)).toBe(200);
      const claims = JSON.parse(
        Buffer.from(token.body.id_token.split('.')[1], 'base64url').toString(),
      );
      expect(claims).toMatchObject({ sub: alice.id, auth_time: 1_700_000_000 });
    });

    it('still enforces the CSRF check before the replacement sees the post', async () => {
      const c = await seedClient(t);
      const jar = new CookieJar();
      const { form } = await openPinPage(jar, c.clientId);
      const r = await send(jar, `${t.url}${LOGIN}`, {
        form: { request: form.hidden.request, csrf_token: 'forged', pin: '424242' },
      });
      expect(r.res.status).toBe(403);
      expect(jar.cookies.get('authms_session')).toBeUndefined();
    });
  });

  describe('with a handler that authenticates without a page', () => {
    let t: TestApp;
    let bob: Awaited<ReturnType<typeof createUser>>;
    beforeAll(async () => {
      t = await createTestApp({
        authorize: { loginHandler: FixedUserLoginHandler, imports: [GatewayModule] },
      });
      bob = await createUser(t, 'bob');
      t.app.get(GatewayIdentity).userId = bob.id;
    });
    afterAll(async () => {
      await t?.close();
    });

    it('goes straight from /oauth/authorize to consent, and issues a code for the fixed user', async () => {
      const c = await seedClient(t);
      const r = await authorize(
        t,
        { response_type: 'code', client_id: c.clientId, scope: 'openid', state: 'z' },
        null,
      );
      expect(r.pages).toEqual(['/api/v1/oauth/consent']);
      expect(r.code).toMatch(/^ac_/);
      const token = await postForm(
        t,
        { grant_type: 'authorization_code', code: r.code! },
        { auth: basic(c.clientId, c.clientSecret!) },
      );
      expect(token.status, JSON.stringify(token.body)).toBe(200);
      const claims = JSON.parse(
        Buffer.from(token.body.id_token.split('.')[1], 'base64url').toString(),
      );
      expect(claims.sub).toBe(bob.id);
    });
  });
  describe('with a handler that finishes on its own route (upstream IdP callback)', () => {
    let t: TestApp;
    let carol: Awaited<ReturnType<typeof createUser>>;
    beforeAll(async () => {
      t = await createTestApp({
        authorize: { loginHandler: UpstreamLoginHandler, imports: [UpstreamModule] },
      });
      carol = await createUser(t, 'carol');
      t.app.get(UpstreamAccounts).users.set('carol', carol.id);
    });
    afterAll(async () => {
      await t?.close();
    });

    it('resumes the authorization with AuthorizationFlowService.completeLogin', async () => {
      const c = await seedClient(t);
      const r = await authorize(
        t,
        { response_type: 'code', client_id: c.clientId, scope: 'openid', state: 'u' },
        null,
      );
      expect(r.pages).toEqual(['/api/v1/oauth/consent']);
      expect(r.code).toMatch(/^ac_/);
      expect(r.jar.cookies.get('authms_session')).toMatch(/^ses_/);
      const token = await postForm(
        t,
        { grant_type: 'authorization_code', code: r.code! },
        { auth: basic(c.clientId, c.clientSecret!) },
      );
      expect(token.status, JSON.stringify(token.body)).toBe(200);
      const claims = JSON.parse(
        Buffer.from(token.body.id_token.split('.')[1], 'base64url').toString(),
      );
      expect(claims.sub).toBe(carol.id);
    });

    it('refuses to resume a request from another browser (403)', async () => {
      const c = await seedClient(t);
      const jar = new CookieJar();
      const q = new URLSearchParams({
        response_type: 'code',
        client_id: c.clientId,
        scope: 'openid',
      });
      const start = await send(jar, `${t.url}${AUTHORIZE_PATH}?${q.toString()}`);
      const login = await send(jar, new URL(start.res.headers.get('location')!, t.url));
      const callback = new URL(login.res.headers.get('location')!, t.url);
      const other = await send(new CookieJar(), callback);
      expect(other.res.status).toBe(403);
      expect(other.res.headers.get('set-cookie') ?? '').not.toContain('authms_session');
    });
  });
});
