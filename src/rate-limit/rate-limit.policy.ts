import type { InjectionToken, OptionalFactoryDependency, Provider } from '@nestjs/common';
import type { Request } from 'express';
import { rateLimitPolicyToken } from './rate-limit.constants.js';

/**
 * What one named limit allows: `limit` requests per fixed window of `windowSeconds`, counted per
 * `tracker` value in the database (so the limit holds across instances). `limit` 0 disables it.
 */
export interface RateLimitPolicy {
  /** Requests allowed per window for one tracker value; 0 = unlimited (nothing is counted). */
  limit: number;
  /** Window length in seconds (windows are aligned to multiples of it, as `Retry-After` reports). */
  windowSeconds: number;
  /**
   * What is counted, e.g. `ip:203.0.113.7` (the default: the client IP as Express sees it, honouring
   * `TRUST_PROXY`) or a client id plus the IP. Runs before the route's own guards, on the parsed body.
   */
  tracker?: (req: Request) => string;
}

/** The default tracker: the client IP (`req.ip` honours `TRUST_PROXY`). */
export function clientIpTracker(req: Request): string {
  return `ip:${req.ip ?? 'unknown'}`;
}

/**
 * A provider of the policy of the limit `name`, for the `providers` of the module whose routes declare
 * `@RateLimit(name)`; built from that module's own settings:
 *
 * ```ts
 * provideRateLimit('register', {
 *   inject: [REGISTRATION_SETTINGS],
 *   useFactory: (s: RegistrationSettings) => ({ limit: s.rateLimit, windowSeconds: s.rateWindowSeconds }),
 * })
 * ```
 */
export function provideRateLimit(
  name: string,
  factory: {
    inject?: (InjectionToken | OptionalFactoryDependency)[];
    // Nest factories take whatever their `inject` list resolves to.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    useFactory: (...deps: any[]) => RateLimitPolicy;
  },
): Provider {
  return {
    provide: rateLimitPolicyToken(name),
    inject: factory.inject ?? [],
    useFactory: factory.useFactory,
  };
}
