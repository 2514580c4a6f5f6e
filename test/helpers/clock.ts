import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import { vi } from 'vitest';
import { Clock } from '../../src/common/time/clock.js';

/** One application's clock, stopped and moved only by the test. */
export interface ControlledClock {
  /** Moves this application's time forward (or back) by `seconds`. */
  advance(seconds: number): void;
  /** This application's current time, epoch seconds. */
  nowSeconds(): number;
  /** This application's current time as a Date (for `jwtVerify(..., { currentDate })`). */
  date(): Date;
}

/**
 * Takes over the {@link Clock} of one application (or, without `app`, of every application in this
 * process, in-process CLI runs included): the time signing keys go by. It stands still at
 * the real time of the call plus `startOffsetSeconds` and moves only by {@link ControlledClock.advance}, so
 * a test lets minutes pass without waiting, gives two instances different clocks, and never depends on
 * how long a step took. Restored by `vi.restoreAllMocks()`.
 */
export function controlClock(
  app?: INestApplication | INestApplicationContext,
  startOffsetSeconds = 0,
): ControlledClock {
  const clock = app ? app.get(Clock) : Clock.prototype;
  let nowMs = Math.floor(Date.now() / 1000) * 1000 + startOffsetSeconds * 1000;
  vi.spyOn(clock, 'now').mockImplementation(() => nowMs);
  return {
    advance: (seconds) => {
      nowMs += seconds * 1000;
    },
    nowSeconds: () => clock.nowSeconds(),
    date: () => new Date(clock.now()),
  };
}
