import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { sha256Hex } from '../common/crypto/tokens.js';
import { RateLimitService } from '../rate-limit/index.js';
import { AUTHORIZE_SETTINGS } from './authorize.constants.js';
import type { AuthorizeSettings } from './authorize.options.js';

/** Event emitted when a username or a client IP reaches its sign-in lockout (audit, metrics). */
export const LOGIN_LOCKED = 'login.locked';

/** Payload of {@link LOGIN_LOCKED}. */
export class LoginLockedEvent {
  constructor(
    /** What was locked: the username (whoever tries it) or the client IP (whatever username). */
    readonly scope: 'username' | 'ip',
    /** The normalised username, or the client IP. */
    readonly subject: string,
    /** The client IP of the attempt that reached the lockout. */
    readonly ip: string,
    /** Seconds until the lockout ends (the end of the counting window). */
    readonly retryAfterSeconds: number,
  ) {}
}

/** The outcome of {@link LoginThrottleService.check}. */
export type LoginThrottleDecision =
  { allowed: true; delayMs: number } | { allowed: false; retryAfterSeconds: number };

/** Thrown when this instance already runs and queues as many password checks as it may (then 503). */
export class PasswordCheckBusyError extends Error {
  override name = 'PasswordCheckBusyError';
}

/**
 * The growing delay before checking the password of a username with `failures` recent failed sign-ins:
 * none up to `delayAfter`, then `baseMs`, doubling with every further failure, at most `maxMs`.
 */
export function loginDelayMs(
  failures: number,
  s: Pick<AuthorizeSettings, 'loginDelayAfter' | 'loginDelayBaseMs' | 'loginDelayMaxMs'>,
): number {
  if (failures < s.loginDelayAfter || s.loginDelayBaseMs <= 0) return 0;
  const exponent = Math.min(30, failures - s.loginDelayAfter);
  return Math.min(s.loginDelayMaxMs, s.loginDelayBaseMs * 2 ** exponent);
}

/**
 * Sign-in throttling (ASVS V2.2.1) for the password login step, counted in the database
 * (`rate_limit_counters`), so it holds across instances:
 *
 * - failed sign-ins **per username** (whether or not the user exists, so lockouts reveal nothing) in a window
 *   of `loginLockoutWindowSeconds`: from `loginDelayAfter` failures on, each attempt waits a growing delay;
 *   at `loginLockoutThreshold` the username is locked until the window ends (a generic message, no password
 *   check); a successful sign-in clears its count;
 * - failed sign-ins **per client IP** in the same window: at `loginIpLockoutThreshold` that IP is locked for
 *   every username (password spraying);
 * - at most `passwordCheckConcurrency` password checks (argon2) run at once on this instance, `passwordCheckQueue`
 *   more wait; beyond, {@link PasswordCheckBusyError} (503 `temporarily_unavailable`), so a flood cannot take
 *   every CPU.
 *
 * Reaching a lockout is logged (warning) and emitted as {@link LOGIN_LOCKED} for audit and metrics.
 */
@Injectable()
export class LoginThrottleService {
  private readonly logger = new Logger(LoginThrottleService.name);
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    @Inject(AUTHORIZE_SETTINGS) private readonly settings: AuthorizeSettings,
    private readonly counters: RateLimitService,
    @Optional() private readonly events?: EventEmitter2,
  ) {}

  /** Whether a sign-in for `username` from `ip` may be checked now, and after which delay. */
  async check(username: string, ip: string): Promise<LoginThrottleDecision> {
    const s = this.settings;
    const window = s.loginLockoutWindowSeconds;
    const [userFailures, ipFailures] = await Promise.all([
      s.loginLockoutThreshold > 0 || s.loginDelayBaseMs > 0
        ? this.counters.current(userKey(username), window)
        : 0,
      s.loginIpLockoutThreshold > 0 ? this.counters.current(ipKey(ip), window) : 0,
    ]);
    const locked =
      (s.loginLockoutThreshold > 0 && userFailures >= s.loginLockoutThreshold) ||
      (s.loginIpLockoutThreshold > 0 && ipFailures >= s.loginIpLockoutThreshold);
    if (locked) return { allowed: false, retryAfterSeconds: this.windowLeft() };
    return { allowed: true, delayMs: loginDelayMs(userFailures, s) };
  }

  /** Counts a failed sign-in; reports (log and event) a username or IP that has just reached its lockout. */
  async recordFailure(username: string, ip: string): Promise<void> {
    const s = this.settings;
    const window = s.loginLockoutWindowSeconds;
    const [user, byIp] = await Promise.all([
      this.counters.hit(userKey(username), Number.MAX_SAFE_INTEGER, window),
      s.loginIpLockoutThreshold > 0
        ? this.counters.hit(ipKey(ip), Number.MAX_SAFE_INTEGER, window)
        : null,
    ]);
    if (s.loginLockoutThreshold > 0 && user.hits === s.loginLockoutThreshold) {
      this.locked('username', normalise(username), ip);
    }
    if (byIp && byIp.hits === s.loginIpLockoutThreshold) this.locked('ip', ip, ip);
  }

  /** A successful sign-in clears the username's failures (not the IP's). */
  async recordSuccess(username: string): Promise<void> {
    await this.counters.reset(userKey(username));
  }

  /**
   * Runs `check` (a password verification) when one of the `passwordCheckConcurrency` slots is free,
   * waiting in a queue of at most `passwordCheckQueue`; throws {@link PasswordCheckBusyError} when that is
   * full too.
   */
  async withPasswordSlot<T>(check: () => Promise<T>): Promise<T> {
    const s = this.settings;
    if (this.running >= s.passwordCheckConcurrency) {
      if (this.waiting.length >= s.passwordCheckQueue) throw new PasswordCheckBusyError();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await check();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Waits `ms` milliseconds (the growing delay of {@link check}). */
  delay(ms: number): Promise<void> {
    return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
  }

  private windowLeft(): number {
    const window = this.settings.loginLockoutWindowSeconds;
    const now = Math.floor(Date.now() / 1000);
    return Math.max(1, Math.floor(now / window) * window + window - now);
  }

  private locked(scope: 'username' | 'ip', subject: string, ip: string): void {
    const retryAfter = this.windowLeft();
    this.logger.warn(
      `Sign-in locked for ${retryAfter} s: ${scope} ${JSON.stringify(subject)} reached ` +
        `${scope === 'ip' ? this.settings.loginIpLockoutThreshold : this.settings.loginLockoutThreshold} ` +
        `failed attempts (last from ${ip})`,
    );
    this.events
      ?.emitAsync(LOGIN_LOCKED, new LoginLockedEvent(scope, subject, ip, retryAfter))
      .catch((e: unknown) => this.logger.error(`A ${LOGIN_LOCKED} listener failed: ${String(e)}`));
  }
}

/** The username as UsersService compares it (NFC, lower case), so `Alice` and `alice` count together. */
function normalise(username: string): string {
  return username.trim().normalize('NFC').toLowerCase();
}

function userKey(username: string): string {
  // Hashed: any string a client types is a valid, bounded key.
  return `login-fail:user:${sha256Hex(normalise(username))}`;
}

function ipKey(ip: string): string {
  return `login-fail:ip:${ip}`;
}
