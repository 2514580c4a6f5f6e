import { describe, expect, it } from 'vitest';
import { isResourceAllowed, parseResourceAllowList } from './resource.js';

describe(isResourceAllowed.name, () => {
  const list = ['https://api.example.com/', 'https://mcp.example.com/mcp', 'urn:example:billing'];

  it('matches exact entries exactly, and entries ending in / as prefixes', () => {
    expect(isResourceAllowed('https://mcp.example.com/mcp', list)).toBe(true);
    expect(isResourceAllowed('urn:example:billing', list)).toBe(true);
    expect(isResourceAllowed('https://api.example.com/', list)).toBe(true);
    expect(isResourceAllowed('https://api.example.com/v1/orders?x=1', list)).toBe(true);
    expect(isResourceAllowed('https://mcp.example.com/mcp/', list)).toBe(false);
    expect(isResourceAllowed('https://mcp.example.com/mcp2', list)).toBe(false);
    expect(isResourceAllowed('urn:example:billing2', list)).toBe(false);
    expect(isResourceAllowed('https://api.example.com', list)).toBe(false);
    expect(isResourceAllowed('https://api.example.com.evil.example/', list)).toBe(false);
    expect(isResourceAllowed('https://API.example.com/v1', list)).toBe(false);
  });

  it('refuses dot segments under a prefix, plain or percent-encoded', () => {
    for (const r of [
      'https://api.example.com/../admin',
      'https://api.example.com/v1/./x',
      'https://api.example.com/v1/%2e%2e/admin',
      'https://api.example.com/v1/.%2E/admin',
      'https://api.example.com/v1/..',
    ]) {
      expect(isResourceAllowed(r, list), r).toBe(false);
    }
    // Dots inside a segment are ordinary characters.
    expect(isResourceAllowed('https://api.example.com/v1/file..json', list)).toBe(true);
  });

  it('allows nothing with an empty list', () => {
    expect(isResourceAllowed('https://api.example.com/', [])).toBe(false);
  });
});

describe(parseResourceAllowList.name, () => {
  it('keeps distinct absolute URIs and refuses relative ones and fragments', () => {
    expect(parseResourceAllowList(['https://a.example/', 'https://a.example/', 'urn:x:y'])).toEqual(
      ['https://a.example/', 'urn:x:y'],
    );
    expect(() => parseResourceAllowList(['/api'])).toThrow(/absolute URI/);
    expect(() => parseResourceAllowList(['https://a.example/#f'])).toThrow(/absolute URI/);
  });
});
