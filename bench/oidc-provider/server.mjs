// oidc-provider (panva, 9.x) configured like AuthMS for `npm run bench -- --compare oidc-provider`.
// Started by bench/compare.mjs as its own process (node bench/oidc-provider/server.mjs), on its own
// database of the same MariaDB, with a plain mysql2 adapter (./mysql-adapter.mjs).
//
// Comparable settings, one by one:
// - Dynamic registration (RFC 7591) and management (RFC 7592) enabled, registration-access-token
//   rotation off, no initial access token: AuthMS with REGISTRATION_ROTATE_ACCESS_TOKEN=false and flat
//   bodies (oidc-provider only has flat bodies).
// - client_credentials enabled; introspection enabled (it only introspects opaque tokens: JWTs are
//   refused as unsupported_token_type, so the introspection scenario introspects an opaque token here).
// - Resource indicators (RFC 8707): every resource is the bench API with accessTokenFormat 'jwt' signed
//   ES256, as AuthMS's access tokens (KEYS_ALG=ES256). ID tokens RS256 (both defaults).
// - Authorization codes come from the real authorization endpoint: the first request of a client runs
//   the interaction below, which signs the bench account in and grants the requested scope and resource
//   at once (no page; this stands in for a login form); later requests carry the session cookie and the
//   grant covers them, so /auth answers with a code directly. Codes live 600 s (AuthMS: AUTH_CODE_TTL).
// - findAccount reads the account row from the database, as AuthMS reads its user for the ID token.
//
// Environment: PORT, ISSUER, DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { createPool } from 'mysql2/promise';
import Provider from 'oidc-provider';
import { mysqlAdapter, OIDC_TABLE_DDL } from './mysql-adapter.mjs';

/** The resource server every access token of the bench is for (RFC 8707). */
export const BENCH_RESOURCE = 'https://api.bench.example/';
export const BENCH_ACCOUNT = 'bench-user';

const env = process.env;
const port = Number(env.PORT ?? 3001);
const issuer = env.ISSUER ?? `http://127.0.0.1:${port}`;

const pool = createPool({
  host: env.DB_HOST ?? '127.0.0.1',
  port: Number(env.DB_PORT ?? 3306),
  user: env.DB_USER ?? 'root',
  password: env.DB_PASSWORD ?? '',
  database: env.DB_NAME,
  // mysql2's default pool size, as TypeORM's in AuthMS.
  connectionLimit: 10,
});
await pool.query(OIDC_TABLE_DDL);
await pool.query(`CREATE TABLE IF NOT EXISTS bench_accounts (
  id VARCHAR(64) NOT NULL PRIMARY KEY,
  email VARCHAR(255) NOT NULL,
  name VARCHAR(255) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`);
await pool.query(
  "INSERT IGNORE INTO bench_accounts (id, email, name) VALUES (?, 'bench@example.com', 'Bench User')",
  [BENCH_ACCOUNT],
);

// One ES256 key (access tokens) and one RS256 key (ID tokens), fresh for every run.
const jwk = (key, kid, alg) => ({ ...key.export({ format: 'jwk' }), kid, alg, use: 'sig' });
const es256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const rs256 = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

const provider = new Provider(issuer, {
  adapter: mysqlAdapter(pool),
  jwks: { keys: [jwk(es256, 'bench-es256', 'ES256'), jwk(rs256, 'bench-rs256', 'RS256')] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'offline_access', 'api:read'],
  async findAccount(_ctx, id) {
    const [rows] = await pool.execute('SELECT id, email, name FROM bench_accounts WHERE id = ?', [
      id,
    ]);
    if (rows.length === 0) return undefined;
    const row = rows[0];
    return {
      accountId: row.id,
      claims: () => ({ sub: row.id, email: row.email, name: row.name }),
    };
  },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    registrationManagement: { enabled: true, rotateRegistrationAccessToken: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // A granted resource is used at the token endpoint even with the openid scope.
      useGrantedResource: () => true,
      defaultResource: (_ctx, _client, oneOf) => (oneOf ? oneOf[0] : undefined),
      getResourceServerInfo: (_ctx, resource) => {
        if (resource !== BENCH_RESOURCE) throw new Provider.errors.InvalidTarget();
        return {
          scope: 'api:read',
          audience: BENCH_RESOURCE,
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        };
      },
    },
  },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 600,
    ClientCredentials: 3600,
    IdToken: 3600,
    Interaction: 3600,
    Grant: 14 * 24 * 3600,
    Session: 14 * 24 * 3600,
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
});
provider.on('server_error', (_ctx, err) => console.error('oidc-provider server_error', err));

const callback = provider.callback();

/** The bench's login and consent step: signs the bench account in and grants what was asked. */
async function interaction(req, res) {
  try {
    const details = await provider.interactionDetails(req, res);
    const { params } = details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: BENCH_ACCOUNT, clientId: params.client_id });
    if (params.scope) grant.addOIDCScope(params.scope);
    if (params.resource) grant.addResourceScope(params.resource, 'api:read');
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: BENCH_ACCOUNT }, consent: { grantId } },
      { mergeWithLastSubmission: false },
    );
  } catch (err) {
    console.error('interaction failed', err);
    res.statusCode = 500;
    res.end('interaction failed');
  }
}

const server = createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) void interaction(req, res);
  else callback(req, res);
});
server.listen(port, '127.0.0.1', () => console.log(`oidc-provider bench server on ${issuer}`));

const stop = () => {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
