import { RATE_LIMITS_METADATA } from './rate-limit.constants.js';

/**
 * Declares that a route (or every route of a controller) counts against the named limit, whose policy
 * the route's module provides with `provideRateLimit(name, ...)`. Stack it for several limits; they are
 * counted in the order written, and the first one exceeded answers 429 `rate_limit_exceeded` with
 * `Retry-After` (RFC 6585 §4, RFC 9110 §10.2.3). Enforced by `RateLimitGuard`, a global guard that runs
 * before every other guard, so refused requests cost no credential check.
 */
export function RateLimit(name: string): MethodDecorator & ClassDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const where = (descriptor?.value as object | undefined) ?? target;
    const declared =
      (Reflect.getMetadata(RATE_LIMITS_METADATA, where) as string[] | undefined) ?? [];
    // Decorators apply bottom-up: prepend, so the list reads in source order.
    Reflect.defineMetadata(RATE_LIMITS_METADATA, [name, ...declared], where);
  };
}
