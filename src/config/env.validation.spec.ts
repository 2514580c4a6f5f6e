import { describe, expect, it } from 'vitest';
import { loadConfig } from './app-config.js';
import { ConfigValidationError, validateEnv } from './env.validation.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

function errorOf(env: Record<string, string>): string {
  try {
    validateEnv(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigValidationError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigValidationError');
}

describe('environment validation', () => {
  it('applies the documented defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.issuer).toBe('http://localhost:3000');
    expect(c.database.type).toBe('sqlite');
    expect(c.database.sqlitePath).toBe('data/authms.sqlite');
    expect(c.scopesSupported).toEqual(['openid', 'profile', 'email', 'offline_access']);
  });

  it('treats empty values as unset, as .env files write them', () => {
    expect(loadConfig({ PORT: '', ISSUER: '' }).port).toBe(3000);
  });

  it('names every bad variable in one message', () => {
    const msg = errorOf({ PORT: 'eighty', DB_TYPE: 'postgres', ISSUER: 'http://x.example/' });
    expect(msg).toMatch(/^Invalid configuration:/);
    expect(msg).toContain('PORT="eighty"');
    expect(msg).toContain('DB_TYPE="postgres"');
    expect(msg).toContain('ISSUER="http://x.example/"');
  });

  it('never echoes a secret, even a malformed one', () => {
    const msg = errorOf({ KEYS_ENCRYPTION_KEY: 'not-base64-hunter2' });
    expect(msg).toContain('KEYS_ENCRYPTION_KEY=<redacted>');
    expect(msg).not.toContain('hunter2');
  });

  it('takes METRICS_TOKEN only as an RFC 6750 b64token of 16 characters or more (it is sent as Bearer)', () => {
    expect(loadConfig({ METRICS_TOKEN: 'abcdefghijklmnop+/=' }).metricsToken).toBe(
      'abcdefghijklmnop+/=',
    );
    expect(errorOf({ METRICS_TOKEN: 'abcdefghijklmno' })).toContain('METRICS_TOKEN=<redacted>');
    expect(errorOf({ METRICS_TOKEN: 'abcdefghijklmnop!' })).toContain('b64token');
  });

  it('refuses production without its own key-encryption key, and accepts it with one', () => {
    expect(errorOf({ NODE_ENV: 'production' })).toContain(
      'KEYS_ENCRYPTION_KEY: required when NODE_ENV=production',
    );
    expect(
      loadConfig({ NODE_ENV: 'production', ISSUER: 'https://as.example', KEYS_ENCRYPTION_KEY: KEY })
        .nodeEnv,
    ).toBe('production');
    // Development keeps working out of the box (SQLite: a generated key file, see KeysModule).
    expect(loadConfig({ NODE_ENV: 'development' }).keys.encryptionKey).toBeUndefined();
  });

  it('refuses an http issuer in production unless ALLOW_HTTP_ISSUER=true and the host is loopback (issue 9)', () => {
    const prod = { NODE_ENV: 'production', KEYS_ENCRYPTION_KEY: KEY };
    expect(errorOf(prod)).toContain(
      'ISSUER: must be https when NODE_ENV=production (is http://localhost:3000, the default)',
    );
    expect(errorOf({ ...prod, ISSUER: 'http://as.example' })).toContain(
      'ISSUER: must be https when NODE_ENV=production (is http://as.example)',
    );
    expect(errorOf({ ...prod, ISSUER: 'http://as.example', ALLOW_HTTP_ISSUER: 'true' })).toContain(
      'allows http only on a loopback host',
    );
    for (const ISSUER of ['http://localhost:8080', 'http://127.0.0.1:3000', 'http://[::1]:3000']) {
      expect(loadConfig({ ...prod, ISSUER, ALLOW_HTTP_ISSUER: 'true' }).issuer).toBe(ISSUER);
    }
    expect(loadConfig({ ...prod, ISSUER: 'https://as.example' }).issuer).toBe('https://as.example');
    // Outside production an http issuer stays the out-of-the-box default.
    expect(loadConfig({ NODE_ENV: 'development' }).issuer).toBe('http://localhost:3000');
  });

  it('refuses MySQL/MariaDB without a key-encryption key unless NODE_ENV=development (issue 7 item 3)', () => {
    for (const DB_TYPE of ['mysql', 'mariadb']) {
      for (const env of [{ DB_TYPE }, { DB_TYPE, NODE_ENV: 'test' }] as Record<string, string>[]) {
        expect(errorOf(env)).toContain(`KEYS_ENCRYPTION_KEY: required with DB_TYPE=${DB_TYPE}`);
      }
      expect(loadConfig({ DB_TYPE, NODE_ENV: 'development' }).database.type).toBe(DB_TYPE);
      expect(loadConfig({ DB_TYPE, KEYS_ENCRYPTION_KEY: KEY }).database.type).toBe(DB_TYPE);
    }
    // SQLite needs no setting: the server generates a key file beside the database.
    expect(loadConfig({ NODE_ENV: 'test' }).database.type).toBe('sqlite');
  });

  it('signs access tokens ES256 and ID tokens RS256 by default (OIDC Discovery §3), either one switchable', () => {
    const c = loadConfig({});
    expect(c.keys.alg).toBe('ES256');
    expect(c.token.idTokenAlg).toBe('RS256');
    expect(loadConfig({ TOKEN_ID_ALG: 'ES256' }).token.idTokenAlg).toBe('ES256');
    expect(loadConfig({ TOKEN_ID_ALG: '' }).token.idTokenAlg).toBe('RS256');
    const msg = errorOf({ TOKEN_ID_ALG: 'HS256' });
    expect(msg).toContain('TOKEN_ID_ALG="HS256"');
    expect(errorOf({ TOKEN_ID_ALG: 'none' })).toContain('TOKEN_ID_ALG');
  });

  it('KEYS_PUBLISH_AHEAD defaults to 600 s and refuses less than the longest JWK Set cache lifetime (360 s)', () => {
    expect(loadConfig({}).keys.publishAheadSeconds).toBe(600);
    expect(loadConfig({ KEYS_PUBLISH_AHEAD: '360' }).keys.publishAheadSeconds).toBe(360);
    expect(errorOf({ KEYS_PUBLISH_AHEAD: '359' })).toContain('KEYS_PUBLISH_AHEAD=359');
  });
});
