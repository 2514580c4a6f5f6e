import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { UsersService } from '../users/index.js';
import type { LoginContext, LoginHandler, LoginOutcome } from './authorize.options.js';
import { sendHtml } from './html/http.js';
import { loginPage } from './html/pages.js';

/**
 * The default login step: a server-rendered username and password form checked against
 * {@link UsersService} (argon2id). A wrong username and a wrong password get the same message, so the
 * form does not reveal which usernames exist.
 */
@Injectable()
export class PasswordLoginHandler implements LoginHandler {
  constructor(private readonly users: UsersService) {}

  start(ctx: LoginContext, _req: Request, res: Response): Promise<LoginOutcome> {
    this.render(res, 200, ctx, ctx.loginHint, null);
    return Promise.resolve({ type: 'responded' });
  }

  async submit(
    ctx: LoginContext,
    body: Record<string, unknown>,
    _req: Request,
    res: Response,
  ): Promise<LoginOutcome> {
    const username = typeof body.username === 'string' ? body.username : '';
    const password = typeof body.password === 'string' ? body.password : '';
    const user =
      username && password ? await this.users.verifyCredentials(username, password) : null;
    if (!user) {
      this.render(res, 401, ctx, username, 'The username or password is incorrect.');
      return { type: 'responded' };
    }
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
