import { decodeTime, isValid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { newUlid } from './ids.js';

describe('newUlid', () => {
  it('makes valid, distinct, time-ordered ULIDs', () => {
    const before = Date.now();
    const ids = Array.from({ length: 2000 }, () => newUlid());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(isValid(id)).toBe(true);
      expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    }
    expect(decodeTime(ids[0])).toBeGreaterThanOrEqual(before);
    expect(decodeTime(ids.at(-1)!)).toBeLessThanOrEqual(Date.now());
  });

  it('uses every symbol of the alphabet in the random part', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) for (const c of newUlid().slice(10)) seen.add(c);
    expect(seen.size).toBe(32);
  });
});
