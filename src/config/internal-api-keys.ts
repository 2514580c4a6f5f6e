import { createHash } from 'node:crypto';

/**
 * One internal API key as the server keeps it: an id for the audit trail and logs, and the SHA-256 of the
 * key. The key itself is dropped as soon as the setting is parsed.
 */
export interface InternalApiKey {
  /** The name given in the setting (`tenant-service:…`), or `key-` + 8 hex digits of the hash. */
  id: string;
  /** SHA-256 of the key, 32 bytes. */
  hash: Buffer;
}

/** Shortest key accepted: 32 characters, e.g. `openssl rand -hex 32` gives 64. */
export const INTERNAL_API_KEY_MIN_LENGTH = 32;

/** Thrown with a message naming the entry (never its key). */
export class InternalApiKeysError extends Error {}

/**
 * Parses `INTERNAL_API_KEYS`: comma-separated entries, each `id:key` or a bare `key`. Ids are
 * `[A-Za-z0-9._-]{1,64}` and unique; keys at least {@link INTERNAL_API_KEY_MIN_LENGTH} characters
 * without `,`, `:` or whitespace. Several keys let a caller move to a new key without an outage.
 */
export function parseInternalApiKeys(raw: string | undefined): InternalApiKey[] {
  const entries = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const keys: InternalApiKey[] = [];
  entries.forEach((entry, i) => {
    const m = /^([A-Za-z0-9._-]{1,64}):(.+)$/.exec(entry);
    const key = m ? m[2] : entry;
    const hash = createHash('sha256').update(key, 'utf8').digest();
    const id = m ? m[1] : `key-${hash.toString('hex').slice(0, 8)}`;
    if (key.length < INTERNAL_API_KEY_MIN_LENGTH || /[\s:]/.test(key)) {
      throw new InternalApiKeysError(
        `entry ${i + 1} (${id}): a key needs at least ${INTERNAL_API_KEY_MIN_LENGTH} characters and no ` +
          'whitespace or colon (generate one: openssl rand -hex 32)',
      );
    }
    if (keys.some((k) => k.id === id)) {
      throw new InternalApiKeysError(`entry ${i + 1}: the id ${id} is used twice`);
    }
    if (keys.some((k) => k.hash.equals(hash))) {
      throw new InternalApiKeysError(`entry ${i + 1} (${id}): the same key is listed twice`);
    }
    keys.push({ id, hash });
  });
  return keys;
}
