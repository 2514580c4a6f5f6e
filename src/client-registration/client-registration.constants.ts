/** Name of the passport-http-bearer strategy for the Registration Access Token (RFC 7592 §1). */
export const REGISTRATION_ACCESS_TOKEN = 'registration-access-token';

/** Injection token of the {@link RegistrationPolicy} hook (see `client-registration.options.ts`). */
export const REGISTRATION_POLICY = Symbol('REGISTRATION_POLICY');

/** Injection token of the resolved {@link RegistrationSettings} (module options over AppConfig). */
export const REGISTRATION_SETTINGS = Symbol('REGISTRATION_SETTINGS');

/** Prefix of issued registration access tokens and client secrets (DESIGN.md "Identifiers"). */
export const REGISTRATION_TOKEN_PREFIX = 'reg_';
export const CLIENT_SECRET_PREFIX = 'sec_';
