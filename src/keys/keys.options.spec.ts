import { describe, expect, it } from 'vitest';
import { KEYS_DEFAULTS, resolveKeysSettings } from './keys.options.js';

describe(resolveKeysSettings.name, () => {
  it('takes the documented default of every omitted option', () => {
    expect(resolveKeysSettings({})).toEqual({ ...KEYS_DEFAULTS, encryptionKey: undefined });
    expect(resolveKeysSettings({ storage: { type: 'mariadb' } }).storage).toEqual({
      type: 'mariadb',
      sqlitePath: KEYS_DEFAULTS.storage.sqlitePath,
    });
  });

  it('keeps what is given', () => {
    const key = Buffer.alloc(32, 7);
    const sut = resolveKeysSettings({
      issuer: 'https://as.example',
      alg: 'RS256',
      idTokenAlg: 'ES256',
      longestTokenTtlSeconds: 7200,
      publishAheadSeconds: 900,
      encryptionKey: key,
      storage: { type: 'sqlite', sqlitePath: ':memory:' },
    });
    expect(sut).toEqual({
      issuer: 'https://as.example',
      alg: 'RS256',
      idTokenAlg: 'ES256',
      longestTokenTtlSeconds: 7200,
      publishAheadSeconds: 900,
      encryptionKey: key,
      storage: { type: 'sqlite', sqlitePath: ':memory:' },
    });
  });

  it('refuses a key-encryption key that is not 32 bytes (AES-256-GCM)', () => {
    expect(() => resolveKeysSettings({ encryptionKey: Buffer.alloc(16) })).toThrow(
      /encryptionKey must be 32 bytes/,
    );
  });
});
