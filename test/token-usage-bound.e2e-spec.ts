import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TokenUsageRecorder, USAGE_MAX_PENDING } from '../src/token/index.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

// Issue 11 (memory): the in-memory token usage counts are bounded, whatever the number of distinct client
// ids (client ID metadata documents make them unbounded) and whether or not the database takes the writes.
describe(`token usage counts in memory are bounded (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let recorder: TokenUsageRecorder;
  /** A distinct 26-character client id per number. */
  const clientId = (i: number) => `C${String(i).padStart(25, '0')}`;

  beforeEach(async () => {
    t = await createTestApp();
    recorder = t.app.get(TokenUsageRecorder);
  });
  afterEach(async () => {
    await t?.close();
  });

  async function usageRows(): Promise<{ rows: number; issued: number }> {
    const [r] = await t.dataSource.query<{ n: number | string; s: number | string | null }[]>(
      'SELECT COUNT(*) AS n, SUM(issued) AS s FROM client_token_usage',
    );
    return { rows: Number(r.n), issued: Number(r.s ?? 0) };
  }

  it('writes a full map at once, so that no count is lost while the database takes the writes', async () => {
    const extra = 50;
    for (let i = 0; i < USAGE_MAX_PENDING + extra; i++) {
      recorder.record(clientId(i));
      expect(recorder.pendingCount).toBeLessThanOrEqual(USAGE_MAX_PENDING);
      // Requests arrive between I/O: let the early write start, as it would between them.
      if (i % 500 === 499) await tick();
    }
    await recorder.flush();
    expect(recorder.pendingCount).toBe(0);
    expect(await usageRows()).toEqual({
      rows: USAGE_MAX_PENDING + extra,
      issued: USAGE_MAX_PENDING + extra,
    });
  });

  it('keeps at most USAGE_MAX_PENDING client-hours while the database refuses the writes', async () => {
    await t.dataSource.query('DROP TABLE client_token_usage');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < USAGE_MAX_PENDING; i++) {
        recorder.record(clientId(round * USAGE_MAX_PENDING + i));
        if (i % 500 === 499) await tick();
      }
      await recorder.flush().catch(() => undefined);
      expect(recorder.pendingCount).toBeLessThanOrEqual(USAGE_MAX_PENDING);
      expect(recorder.pendingCount).toBeGreaterThan(0);
    }
    // A client already waiting still counts.
    const kept = clientId(0);
    const before = recorder.pendingCount;
    recorder.record(kept);
    expect(recorder.pendingCount).toBe(before);
  });
});
