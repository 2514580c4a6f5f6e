import { describe, expect, it } from 'vitest';
import { lifetime } from './client-id-metadata.service.js';

describe('lifetime of a Client ID Metadata Document (RFC 9111 §4.2.1, bounded)', () => {
  const bounds = [60, 86400] as const;

  it('takes max-age, clamped to the bounds', () => {
    expect(lifetime({ 'cache-control': 'public, max-age=300' }, ...bounds)).toBe(300);
    expect(lifetime({ 'cache-control': 'max-age=5' }, ...bounds)).toBe(60);
    expect(lifetime({ 'cache-control': 'max-age=999999999' }, ...bounds)).toBe(86400);
  });

  it('gives the minimum for no-store, no-cache and no caching headers', () => {
    expect(lifetime({ 'cache-control': 'no-store' }, ...bounds)).toBe(60);
    expect(lifetime({ 'cache-control': 'max-age=600, no-cache' }, ...bounds)).toBe(60);
    expect(lifetime({}, ...bounds)).toBe(60);
  });

  it('falls back to Expires minus Date', () => {
    const date = new Date('2026-01-01T00:00:00Z');
    const expires = new Date(date.getTime() + 3600_000);
    expect(lifetime({ date: date.toUTCString(), expires: expires.toUTCString() }, ...bounds)).toBe(
      3600,
    );
    expect(lifetime({ date: date.toUTCString(), expires: 'garbage' }, ...bounds)).toBe(60);
  });
});
