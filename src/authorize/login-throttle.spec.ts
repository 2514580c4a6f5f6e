import { describe, expect, it } from 'vitest';
import { loginDelayMs } from './login-throttle.service.js';

describe('loginDelayMs (growing delays before a password check, ASVS V2.2.1)', () => {
  const s = { loginDelayAfter: 3, loginDelayBaseMs: 500, loginDelayMaxMs: 8000 };

  it('waits nothing below the threshold, then doubles from the base up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 50].map((n) => loginDelayMs(n, s))).toEqual([
      0, 0, 0, 500, 1000, 2000, 4000, 8000, 8000, 8000,
    ]);
  });

  it('never waits when the base is 0', () => {
    expect(loginDelayMs(100, { ...s, loginDelayBaseMs: 0 })).toBe(0);
  });
});
