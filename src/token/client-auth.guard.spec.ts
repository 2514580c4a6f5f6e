import { Reflector } from '@nestjs/core';
import type { ExecutionContext } from '@nestjs/common';
import { describe, expect, it, vi } from 'vitest';
import { OAuthError } from '../common/errors/oauth-error.js';
import { ClientAuthentication, ClientAuthGuard } from './client-auth.guard.js';
import type { ClientAuthenticationService } from './client-authentication.service.js';

class Routes {
  @ClientAuthentication({ path: '/oauth/token', repeatable: ['resource'], before: () => undefined })
  token(): void {}

  @ClientAuthentication({
    path: '/oauth/token',
    before: () => {
      throw OAuthError.unsupportedGrantType('no');
    },
  })
  refused(): void {}

  bare(): void {}
}

function contextOf(handler: () => void, body: unknown): ExecutionContext {
  const req = { body, headers: { authorization: 'Basic YTpi' } };
  return {
    getHandler: () => handler,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
}

function setup() {
  const authenticate = vi.fn().mockResolvedValue({ client: { clientId: 'c1' }, method: 'none' });
  const service = {
    authenticate,
    endpointUrl: (path: string) => `https://as.example/api/v1${path}`,
  } as unknown as ClientAuthenticationService;
  return { sut: new ClientAuthGuard(new Reflector(), service), authenticate };
}

describe(ClientAuthGuard.name, () => {
  it('authenticates with the route URL as the assertion audience (RFC 7523 §3)', async () => {
    const { sut, authenticate } = setup();
    const routes = new Routes();
    await expect(
      sut.canActivate(contextOf(routes.token, { resource: ['https://a', 'https://b'] })),
    ).resolves.toBe(true);
    expect(authenticate).toHaveBeenCalledWith(
      expect.objectContaining({
        authorization: 'Basic YTpi',
        endpointUrl: 'https://as.example/api/v1/oauth/token',
      }),
    );
  });

  it('refuses repeated parameters and runs the route checks before authenticating (RFC 6749 §3.2)', async () => {
    const { sut, authenticate } = setup();
    const routes = new Routes();
    await expect(sut.canActivate(contextOf(routes.refused, {}))).rejects.toMatchObject({
      error: 'unsupported_grant_type',
    });
    await expect(
      sut.canActivate(contextOf(routes.refused, { scope: ['a', 'b'] })),
    ).rejects.toMatchObject({ error: 'invalid_request' });
    expect(authenticate).not.toHaveBeenCalled();
  });

  it('fails loudly on a route without @ClientAuthentication', async () => {
    const { sut } = setup();
    await expect(sut.canActivate(contextOf(new Routes().bare, {}))).rejects.toThrow(
      /needs @ClientAuthentication/,
    );
  });
});
