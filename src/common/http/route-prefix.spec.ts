import { describe, expect, it } from 'vitest';
import { API_PREFIX, isRoutePrefix, normalizeRoutePrefix } from './route-prefix.js';

describe('route prefix', () => {
  it('is /api/v1 for the API', () => {
    expect(API_PREFIX).toBe('/api/v1');
    expect(isRoutePrefix(API_PREFIX)).toBe(true);
  });

  it.each([
    ['api/v1', '/api/v1'],
    ['/api/v1/', '/api/v1'],
    ['//api/v1//', '/api/v1'],
    ['/', ''],
    ['', ''],
  ])('normalizes %j to %j', (raw, normalized) => {
    expect(normalizeRoutePrefix(raw)).toBe(normalized);
  });

  it.each(['/api v1', '/api/%20', '/api?x', '/api#x', 'api'])('refuses %j', (prefix) => {
    expect(isRoutePrefix(prefix)).toBe(false);
  });
});
