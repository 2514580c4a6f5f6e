import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decryptPrivateKey,
  developmentEncryptionKey,
  encryptPrivateKey,
} from './key-encryption.js';

describe('key encryption (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const secret = JSON.stringify({ kty: 'EC', d: 'private-scalar' });

  it('round-trips and never contains the plaintext', () => {
    const sealed = encryptPrivateKey(secret, 'kid-1', key);
    expect(sealed).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(sealed).not.toContain('private-scalar');
    expect(decryptPrivateKey(sealed, 'kid-1', key)).toBe(secret);
  });

  it('uses a fresh IV per encryption (NIST SP 800-38D §8.2)', () => {
    expect(encryptPrivateKey(secret, 'kid-1', key)).not.toBe(
      encryptPrivateKey(secret, 'kid-1', key),
    );
  });

  it('fails under another key, another kid (AAD) or any tampering', () => {
    const sealed = encryptPrivateKey(secret, 'kid-1', key);
    expect(() => decryptPrivateKey(sealed, 'kid-1', randomBytes(32))).toThrow();
    expect(() => decryptPrivateKey(sealed, 'kid-2', key)).toThrow();
    const parts = sealed.split('.');
    const flipped = Buffer.from(parts[3], 'base64url');
    flipped[0] ^= 1;
    expect(() =>
      decryptPrivateKey(
        [parts[0], parts[1], parts[2], flipped.toString('base64url')].join('.'),
        'kid-1',
        key,
      ),
    ).toThrow();
    expect(() => decryptPrivateKey('v2.a.b.c', 'kid-1', key)).toThrow(/envelope/);
    expect(() => decryptPrivateKey('v1.AAAA.BBBB.CCCC', 'kid-1', key)).toThrow(/envelope/);
    expect(() => decryptPrivateKey('garbage', 'kid-1', key)).toThrow(/envelope/);
  });

  it('refuses keys that are not 32 bytes', () => {
    expect(() => encryptPrivateKey(secret, 'kid-1', randomBytes(16))).toThrow(/32 bytes/);
  });

  it('derives a stable development key, so a developer database survives restarts', () => {
    expect(developmentEncryptionKey()).toHaveLength(32);
    expect(developmentEncryptionKey().equals(developmentEncryptionKey())).toBe(true);
  });
});
