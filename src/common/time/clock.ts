import { Injectable } from '@nestjs/common';

/**
 * The current time, as an injectable service rather than `Date.now()` at the call site, so that code
 * whose behaviour depends on time passing (signing-key activation and retirement, cache lifetimes) can be
 * tested by moving one instance's clock instead of waiting: a test replaces `now` on the instance of one
 * application (`vi.spyOn(app.get(Clock), 'now')`) and leaves every other application on real time.
 */
@Injectable()
export class Clock {
  /** Milliseconds since the epoch. */
  now(): number {
    return Date.now();
  }

  /** Whole seconds since the epoch (JWT NumericDate, RFC 7519 §2). */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
