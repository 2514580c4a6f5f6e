import { HEADERS_METADATA } from '@nestjs/common/constants.js';
import type { Response } from 'express';
import { describe, expect, it } from 'vitest';
import { NoStore, setNoStore } from './no-store.js';

class Routes {
  @NoStore()
  token(): void {}
}

describe(NoStore.name, () => {
  it('declares Cache-Control: no-store and Pragma: no-cache on the route (RFC 6749 §5.1)', () => {
    const headers = Reflect.getMetadata(HEADERS_METADATA, Routes.prototype.token) as {
      name: string;
      value: string;
    }[];
    expect(Object.fromEntries(headers.map((h) => [h.name, h.value]))).toEqual({
      'Cache-Control': 'no-store',
      Pragma: 'no-cache',
    });
  });

  it('sets the same headers on a response written by hand', () => {
    const set: Record<string, string> = {};
    setNoStore({ setHeader: (n: string, v: string) => (set[n] = v) } as unknown as Response);
    expect(set).toEqual({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
  });
});
