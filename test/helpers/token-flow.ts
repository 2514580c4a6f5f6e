import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import request from 'supertest';
import { sha256Base64Url } from '../../src/common/crypto/tokens.js';
import { AuthorizationCodeService, type AuthorizationCodeInput } from '../../src/token/index.js';
import { UsersService, type User } from '../../src/users/index.js';
import type { TestApp } from './test-app.js';

/** TokenModule test helpers: users, PKCE, codes minted the way AuthorizeModule mints them, assertions. */

export const TOKEN_PATH = '/api/v1/oauth/token';
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A user created through UsersService (argon2id), with a random username. */
export async function createUser(t: TestApp, extra: { email?: string; name?: string } = {}) {
  const users = t.app.get(UsersService);
  return users.create({
    username: `user${randomBytes(4).toString('hex')}`,
    password: 'correct horse battery staple',
    email: extra.email ?? `u${randomBytes(3).toString('hex')}@example.com`,
    name: extra.name ?? 'Test User',
    emailVerified: true,
  });
}

/** A PKCE pair (RFC 7636 §4.1-4.2, S256). */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: sha256Base64Url(verifier) };
}

/**
 * Mints a code through the real AuthorizationCodeService, as /oauth/authorize does. The default scopes
 * include `offline_access`, so an `openid` code yields a refresh token (OIDC Core §11).
 */
export function issueCode(
  t: TestApp,
  input: Partial<AuthorizationCodeInput> & { clientId: string; userId: string },
): Promise<string> {
  return t.app.get(AuthorizationCodeService).issue({
    redirectUri: 'https://app.example.com/callback',
    redirectUriProvided: true,
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    authTime: Math.floor(Date.now() / 1000) - 5,
    ...input,
  });
}

/** `Authorization: Basic` per RFC 6749 §2.3.1 (form-urlencoded id and secret). */
export function basic(clientId: string, secret: string): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
}

/** An ES256 key pair for private_key_jwt, with its public JWK (kid set). */
export async function clientKey(
  alg = 'ES256',
): Promise<{ privateKey: CryptoKey; publicJwk: JWK; kid: string }> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const kid = randomBytes(6).toString('hex');
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { privateKey, publicJwk, kid };
}

/** A client assertion (RFC 7523 §3); every claim can be overridden or removed (`undefined`). */
export async function assertion(
  key: { privateKey: CryptoKey | Uint8Array; kid?: string },
  clientId: string,
  aud: string | string[],
  overrides: Record<string, unknown> = {},
  alg = 'ES256',
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = {
    iss: clientId,
    sub: clientId,
    aud,
    iat: now,
    exp: now + 60,
    jti: randomBytes(12).toString('hex'),
    ...overrides,
  };
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
  return new SignJWT(claims).setProtectedHeader({ alg, kid: key.kid }).sign(key.privateKey);
}

/** A tiny HTTP server serving a JWK Set (for `jwks_uri`); counts its hits. */
export async function serveJwks(
  jwks: () => unknown,
): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((_req, res) => {
    hits++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(jwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    hits: () => hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** POSTs a form to the token endpoint (or another path), optionally with a Basic header. */
export function postForm(
  t: TestApp,
  form: Record<string, string | string[]>,
  opts: { path?: string; auth?: string } = {},
) {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) {
    for (const one of Array.isArray(v) ? v : [v]) body.append(k, one);
  }
  const req = request(t.url)
    .post(opts.path ?? TOKEN_PATH)
    .set('Content-Type', 'application/x-www-form-urlencoded');
  if (opts.auth) void req.set('Authorization', opts.auth);
  return req.send(body.toString());
}

/** POSTs `token` to the introspection endpoint (RFC 7662 §2.1) with the caller's Basic header. */
export function introspect(t: TestApp, token: string, auth: string) {
  return postForm(t, { token }, { path: '/api/v1/oauth/introspect', auth });
}

export type { User };

/** Tokens of a completed authorization_code exchange for a seeded confidential (Basic) client. */
export async function codeTokens(
  t: TestApp,
  client: { clientId: string; clientSecret?: string },
  userId: string,
  scopes: string[] = ['openid', 'profile', 'email', 'offline_access'],
): Promise<{ access_token: string; refresh_token: string; id_token?: string; scope: string }> {
  const code = await issueCode(t, { clientId: client.clientId, userId, scopes });
  const res = await postForm(
    t,
    { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example.com/callback' },
    { auth: basic(client.clientId, client.clientSecret!) },
  );
  if (res.status !== 200) throw new Error(`code exchange failed: ${JSON.stringify(res.body)}`);
  return res.body as { access_token: string; refresh_token: string; scope: string };
}
