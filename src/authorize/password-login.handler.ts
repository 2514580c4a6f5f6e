import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { UsersService } from '../users/index.js';
import type { LoginContext, LoginHandler, LoginOutcome } from './authorize.options.js';
import { sendHtml } from './html/http.js';
import { loginPage } from './html/pages.js';
import { LoginThrottleService, PasswordCheckBusyError } from './login-throttle.service.js';

/** Shown for a locked username or IP: the same whether or not the username exists. */
const LOCKED_MESSAGE =
  'Too many failed sign-in attempts. Sign-in is paused for a while; try again later.';

/**
 * The default login step: a server-rendered username and password form checked against
 * {@link UsersService} (argon2id). A wrong username and a wrong password get the same message, so the
 * form does not reveal which usernames exist (an unknown username costs an argon2 check too). Attempts go
 * through {@link LoginThrottleService} (ASVS V2.2.1): growing delays, then a temporary lock (429), per
 * username and per client IP across instances, and a cap on concurrent password checks (503).
 */
@Injectable()
export class PasswordLoginHandler implements LoginHandler {
  constructor(
    private readonly users: UsersService,
    private readonly throttle: LoginThrottleService,
  ) {}

  start(ctx: LoginContext, _req: Request, res: Response): Promise<LoginOutcome> {
    this.render(res, 200, ctx, ctx.loginHint, null);
    return Promise.resolve({ type: 'responded' });
  }

  async submit(
    ctx: LoginContext,
    body: Record<string, unknown>,
    req: Request,
    res: Response,
  ): Promise<LoginOutcome> {
    const username = typeof body.username === 'string' ? body.username : '';
    const password = typeof body.password === 'string' ? body.password : '';
    if (!username || !password) {
      this.render(res, 401, ctx, username, 'The username or password is incorrect.');
      return { type: 'responded' };
    }
    const ip = req.ip ?? 'unknown';
    const decision = await this.throttle.check(username, ip);
    if (!decision.allowed) {
      res.setHeader('Retry-After', String(decision.retryAfterSeconds));
      this.render(res, 429, ctx, username, LOCKED_MESSAGE);
      return { type: 'responded' };
    }
    await this.throttle.delay(decision.delayMs);
    let user: Awaited<ReturnType<UsersService['verifyCredentials']>>;
    try {
      user = await this.throttle.withPasswordSlot(() =>
        this.users.verifyCredentials(username, password),
      );
    } catch (e) {
      if (!(e instanceof PasswordCheckBusyError)) throw e;
      // RFC 6749 §4.1.2.1 temporarily_unavailable: this instance has as many password checks as it may.
      res.setHeader('Retry-After', '1');
      this.render(
        res,
        503,
        ctx,
        username,
        'The server is busy (temporarily_unavailable). Try again in a moment.',
      );
      return { type: 'responded' };
    }
    if (!user) {
      await this.throttle.recordFailure(username, ip);
      this.render(res, 401, ctx, username, 'The username or password is incorrect.');
      return { type: 'responded' };
    }
    await this.throttle.recordSuccess(username);
    return { type: 'authenticated', userId: user.id };
  }

  private render(
    res: Response,
    status: number,
    ctx: LoginContext,
    username: string | null,
    error: string | null,
  ): void {
    sendHtml(
      res,
      status,
      loginPage({
        client: ctx.client,
        requestId: ctx.requestId,
        csrfToken: ctx.csrfToken,
        username,
        error,
        reauthentication: ctx.reauthentication,
      }),
      { redirectTarget: ctx.redirectUri },
    );
  }
}
