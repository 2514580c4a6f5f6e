import { randomFillSync } from 'node:crypto';
import { ulid } from 'ulid';

/** Random bytes from the CSPRNG, fetched in blocks: one system call per 256 ULIDs instead of 16 per ULID. */
const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

function randomByte(): number {
  if (offset >= pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  return pool[offset++];
}

/**
 * A new ULID (time-ordered, 80 random bits). Same format as `ulid()` from the `ulid` package, whose default
 * generator asks Web Crypto for one byte per character (16 calls, ~100 µs per id); this one draws the same
 * CSPRNG bytes from a pooled buffer. Each character takes the top 5 bits of one random byte (256 is a
 * multiple of 32, so every character is uniform).
 */
export function newUlid(): string {
  return ulid(undefined, () => randomByte() / 256);
}
