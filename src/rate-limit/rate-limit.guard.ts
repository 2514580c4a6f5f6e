import {
  Injectable,
  type ExecutionContext,
  type OnApplicationBootstrap,
  type Type,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, ModuleRef, Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerRequest,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { OAuthError } from '../common/errors/oauth-error.js';
import { RATE_LIMITS_METADATA, rateLimitPolicyToken } from './rate-limit.constants.js';
import { clientIpTracker, type RateLimitPolicy } from './rate-limit.policy.js';

/**
 * `@nestjs/throttler`'s guard for the limits routes declare with `@RateLimit(name)`, counted in the
 * database ({@link RateLimitService} is the throttler storage). Registered globally, so it runs before
 * every route guard: a refused request is answered before any credential is checked (it also slows down
 * guessing of secrets and initial access tokens).
 *
 * It departs from the stock guard in three places, each an extension point of `ThrottlerGuard`:
 * - the limits are not one global list applied to every route: each route names its limits, and each
 *   limit's policy comes from the module that owns the route (`provideRateLimit`), built from that module's
 *   own settings (a `ClientRegistrationModule.forRoot({ rateLimit })` host gets its own limit);
 * - a refusal is an {@link OAuthError}: 429 `rate_limit_exceeded` with `Retry-After`, rendered flat with
 *   `Cache-Control: no-store` by the exception filter like every other error;
 * - an allowed request carries `RateLimit-Limit` and `RateLimit-Remaining` (of its tightest limit).
 *
 * Every declared name must have a policy: a route without one stops start-up.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard implements OnApplicationBootstrap {
  private readonly policies = new Map<string, RateLimitPolicy>();

  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly moduleRef: ModuleRef,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {
    super(options, storage, reflector);
  }

  /** The stock guard reads a global throttler list here; ours has none (limits are per route). */
  override onModuleInit(): Promise<void> {
    return Promise.resolve();
  }

  /** Resolves the policy of every limit every route declares, so a missing one fails at start-up. */
  onApplicationBootstrap(): void {
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const names = new Set(this.declared(controller));
      const proto = controller.prototype as Record<string, unknown>;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        for (const name of this.declared(proto[method] as object)) names.add(name);
      }
      for (const name of names) this.policy(name, `${controller.name}`);
    }
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const names = this.reflector.getAllAndMerge<string[]>(RATE_LIMITS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    for (const name of names) {
      const policy = this.policy(name, context.getClass().name);
      if (policy.limit <= 0) continue;
      const ttl = policy.windowSeconds * 1000;
      const tracker = policy.tracker ?? clientIpTracker;
      await this.handleRequest({
        context,
        limit: policy.limit,
        ttl,
        blockDuration: ttl,
        throttler: { name, limit: policy.limit, ttl },
        getTracker: (req) => tracker(req as Request),
        // Readable keys (`register:ip:203.0.113.7`); the storage hashes over-long ones.
        generateKey: (_context, trackerValue, throttlerName) => `${throttlerName}:${trackerValue}`,
      });
    }
    return true;
  }

  protected override async handleRequest(request: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, blockDuration, throttler, getTracker, generateKey } = request;
    const name = throttler.name ?? 'default';
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const tracker = await getTracker(req, context);
    const key = generateKey(context, tracker, name);
    const record = await this.storageService.increment(key, ttl, limit, blockDuration, name);
    if (record.isBlocked) {
      await this.throwThrottlingException(context, { ...record, ttl, limit, key, tracker });
    }
    // draft-ietf-httpapi-ratelimit-headers: report the limit closest to exhaustion.
    const remaining = Math.max(0, limit - record.totalHits);
    const shown = res.getHeader('RateLimit-Remaining');
    if (shown === undefined || remaining < Number(shown)) {
      res.setHeader('RateLimit-Limit', String(limit));
      res.setHeader('RateLimit-Remaining', String(remaining));
    }
    return true;
  }

  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    // RFC 6585 §4: 429 Too Many Requests; RFC 9110 §10.2.3 Retry-After in seconds.
    throw OAuthError.rateLimited(detail.timeToBlockExpire);
  }

  private declared(target: object | undefined): string[] {
    if (!target) return [];
    return (Reflect.getMetadata(RATE_LIMITS_METADATA, target) as string[] | undefined) ?? [];
  }

  private policy(name: string, where: string): RateLimitPolicy {
    let policy = this.policies.get(name);
    if (!policy) {
      try {
        policy = this.moduleRef.get<RateLimitPolicy>(rateLimitPolicyToken(name), { strict: false });
      } catch {
        throw new Error(
          `${where} declares @RateLimit('${name}') but no module provides its policy ` +
            `(provideRateLimit('${name}', ...))`,
        );
      }
      this.policies.set(name, policy);
    }
    return policy;
  }
}
