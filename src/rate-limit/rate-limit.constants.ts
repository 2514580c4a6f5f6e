/** Metadata key under which {@link RateLimit} records the named limits a route counts against. */
export const RATE_LIMITS_METADATA = 'authms:rate-limits';

/**
 * The injection token of the policy of the limit `name` (see `provideRateLimit`). The module that owns a
 * route provides the policy of every limit its routes declare, from its own settings.
 */
export function rateLimitPolicyToken(name: string): string {
  return `RATE_LIMIT_POLICY:${name}`;
}
