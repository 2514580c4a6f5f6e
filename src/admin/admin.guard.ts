import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { AdminAuthenticator, type AdminPrincipal } from './admin-authenticator.service.js';

/** The request of an authenticated admin call. */
export type AdminRequest = Request & { admin: AdminPrincipal };

/** Lets a request through only with an admin access token ({@link AdminAuthenticator}). */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly authenticator: AdminAuthenticator) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AdminRequest>();
    req.admin = await this.authenticator.authenticate(req);
    return true;
  }
}
