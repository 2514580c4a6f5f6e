import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './app-config.js';
import { InternalApiKeysError, parseInternalApiKeys } from './internal-api-keys.js';

const KEY_A = 'a'.repeat(32);
const KEY_B = `${'b'.repeat(40)}_-x`;
const sha = (s: string) => createHash('sha256').update(s).digest();

describe(parseInternalApiKeys.name, () => {
  it('is empty when unset or blank (the internal API is off)', () => {
    expect(parseInternalApiKeys(undefined)).toEqual([]);
    expect(parseInternalApiKeys(' , ')).toEqual([]);
  });

  it('keeps named and bare keys as id + SHA-256, never the key', () => {
    const keys = parseInternalApiKeys(`identity-service:${KEY_A}, ${KEY_B}`);
    expect(keys).toEqual([
      { id: 'identity-service', hash: sha(KEY_A) },
      { id: `key-${sha(KEY_B).toString('hex').slice(0, 8)}`, hash: sha(KEY_B) },
    ]);
    expect(JSON.stringify(keys)).not.toContain(KEY_A);
  });

  it.each([
    ['short', `svc:${'s'.repeat(31)}`, /entry 1 \(svc\): a key needs at least 32/],
    ['whitespace', `svc:${'s'.repeat(20)} ${'s'.repeat(20)}`, /no whitespace/],
    ['duplicate id', `svc:${KEY_A},svc:${'c'.repeat(32)}`, /id svc is used twice/],
    ['duplicate key', `one:${KEY_A},two:${KEY_A}`, /same key is listed twice/],
  ])('refuses a %s entry without echoing the key', (_name, raw, message) => {
    expect(() => parseInternalApiKeys(raw)).toThrow(InternalApiKeysError);
    expect(() => parseInternalApiKeys(raw)).toThrow(message);
    try {
      parseInternalApiKeys(raw);
    } catch (e) {
      expect((e as Error).message).not.toContain('s'.repeat(20));
      expect((e as Error).message).not.toContain(KEY_A);
    }
  });

  it('stops start-up on a bad INTERNAL_API_KEYS, with the value redacted', () => {
    const bad = `svc:${'z'.repeat(10)}`;
    expect(() => loadConfig({ INTERNAL_API_KEYS: bad })).toThrow(/INTERNAL_API_KEYS/);
    try {
      loadConfig({ INTERNAL_API_KEYS: bad });
    } catch (e) {
      expect((e as Error).message).not.toContain('z'.repeat(10));
    }
  });
});
