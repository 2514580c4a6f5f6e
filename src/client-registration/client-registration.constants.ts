import { RequestMethod } from '@nestjs/common';

/** Injection token of the {@link RegistrationPolicy} hook (see `client-registration.options.ts`). */
export const REGISTRATION_POLICY = Symbol('REGISTRATION_POLICY');

/** Injection token of the resolved {@link RegistrationSettings} (module options over their defaults). */
export const REGISTRATION_SETTINGS = Symbol('REGISTRATION_SETTINGS');

/** Prefix of issued registration access tokens and client secrets (DESIGN.md "Identifiers"). */
export const REGISTRATION_TOKEN_PREFIX = 'reg_';
export const CLIENT_SECRET_PREFIX = 'sec_';

/**
 * Where each response style is served (docs/adr/0020). `envelope`: the oauth-service contract's path,
 * under the host's route prefix (`/api/v1/oauth/register` in AuthMS). `flat`: the standard RFC 7591 /
 * RFC 7592 endpoint at the host root. The names differ, not just the prefix, so that two paths that
 * differ only by a prefix never answer different bodies.
 */
export const REGISTRATION_PATHS = {
  envelope: '/oauth/register',
  flat: '/connect/register',
} as const;

/**
 * The standard registration routes, to exclude from a host's global prefix:
 * `app.setGlobalPrefix('api/v1', { exclude: [...REGISTRATION_ROOT_ROUTES] })`.
 */
export const REGISTRATION_ROOT_ROUTES: readonly { path: string; method: RequestMethod }[] = [
  { path: REGISTRATION_PATHS.flat.slice(1), method: RequestMethod.ALL },
  { path: `${REGISTRATION_PATHS.flat.slice(1)}/:client_id`, method: RequestMethod.ALL },
];
