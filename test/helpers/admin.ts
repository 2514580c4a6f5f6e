import { randomBytes } from 'node:crypto';
import { ClientAdministrationService } from '../../src/client-registration/index.js';
import { UsersService } from '../../src/users/index.js';
import type { TestApp } from './test-app.js';
import { basic, codeTokens, postForm } from './token-flow.js';

/** Administration API test helpers: operator-created admin clients and their tokens. */

export const ADMIN_CLIENTS = '/api/v1/admin/oauth/clients';

/**
 * An admin client as `npm run client:create -- --admin` creates it (confidential, client_credentials,
 * scope `admin`, admin access), optionally also with the code flow for administrators signing in.
 */
export async function createAdminClient(
  t: TestApp,
  opts: { redirectUris?: string[] } = {},
): Promise<{ clientId: string; clientSecret: string }> {
  const redirectUris = opts.redirectUris ?? [];
  const issued = await t.app.get(ClientAdministrationService).create(
    {
      name: `admin-${randomBytes(3).toString('hex')}`,
      redirectUris,
      grantTypes: redirectUris.length
        ? ['authorization_code', 'refresh_token', 'client_credentials']
        : ['client_credentials'],
      clientAuthMethods: ['client_secret_basic'],
      scopes: redirectUris.length ? ['openid', 'admin'] : ['admin'],
    },
    { type: 'cli' },
    { origin: 'cli', adminAccess: true },
  );
  return { clientId: issued.client.id, clientSecret: issued.clientSecret! };
}

/** A `client_credentials` access token of `client` (scope `admin` unless another is asked for). */
export async function clientToken(
  t: TestApp,
  client: { clientId: string; clientSecret: string },
  scope = 'admin',
): Promise<string> {
  const res = await postForm(
    t,
    { grant_type: 'client_credentials', scope },
    { auth: basic(client.clientId, client.clientSecret) },
  );
  if (res.status !== 200) throw new Error(`client_credentials failed: ${JSON.stringify(res.body)}`);
  return (res.body as { access_token: string }).access_token;
}

/** A fresh admin client and its admin access token: the usual caller of the admin API in tests. */
export async function adminToken(t: TestApp): Promise<string> {
  return clientToken(t, await createAdminClient(t));
}

/** A user with the given roles (argon2id, like `npm run user:create -- --role admin`). */
export async function createUserWithRoles(t: TestApp, roles: string[]) {
  return t.app.get(UsersService).create({
    username: `adm${randomBytes(4).toString('hex')}`,
    password: 'correct horse battery staple',
    roles,
  });
}

/** An access token of `userId` obtained through an admin client's code flow with `scopes`. */
export async function userTokenVia(
  t: TestApp,
  client: { clientId: string; clientSecret: string },
  userId: string,
  scopes: string[],
): Promise<{ access_token: string; scope: string }> {
  return codeTokens(t, client, userId, scopes);
}
