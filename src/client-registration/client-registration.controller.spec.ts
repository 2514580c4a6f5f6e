import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { describe, expect, it } from 'vitest';
import {
  ClientRegistrationController,
  FlatClientRegistrationController,
} from './client-registration.controller.js';
import { OpenRegistrationGuard } from './open-registration.guard.js';
import { RegistrationAccessTokenGuard } from './registration-access-token.guard.js';

// Walks every route of both controller variants: no route may be left unguarded by accident. Register is
// public on purpose (OpenRegistrationGuard: rate limit + optional initial access token, RFC 7591 §3); the
// client configuration endpoint needs the registration access token (RFC 7592 §2).
describe('ClientRegistrationController routes', () => {
  for (const controller of [ClientRegistrationController, FlatClientRegistrationController]) {
    const proto = controller.prototype as unknown as Record<string, unknown>;
    const routes = Object.getOwnPropertyNames(proto)
      .map((name) => ({ name, fn: proto[name] as object }))
      .filter(
        ({ fn }) =>
          typeof fn === 'function' && Reflect.getMetadata(METHOD_METADATA, fn) !== undefined,
      );

    it('exposes exactly the four RFC 7591/7592 operations', () => {
      expect(routes.map((r) => r.name).sort()).toEqual(['delete', 'read', 'register', 'update']);
    });

    it.each(routes.map((r) => [r.name, r.fn] as const))('guards %s explicitly', (name, fn) => {
      const guards = (Reflect.getMetadata(GUARDS_METADATA, fn) ?? []) as unknown[];
      const path = Reflect.getMetadata(PATH_METADATA, fn) as string;
      if (name === 'register') {
        expect(path).toBe('/');
        expect(guards).toEqual([OpenRegistrationGuard]);
      } else {
        expect(path).toBe(':client_id');
        expect(guards).toEqual([RegistrationAccessTokenGuard]);
      }
    });
  }
});
