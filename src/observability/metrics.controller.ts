import { schemeCredentials } from '../common/oauth/authorization-header.js';
import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { OAuthError } from '../common/errors/oauth-error.js';
import { MetricsService } from './metrics.service.js';
import { OBSERVABILITY_SETTINGS } from './observability.constants.js';
import type { ObservabilitySettings } from './observability.options.js';

/** SHA-256 of a value: equal-length inputs for `timingSafeEqual`, whatever the caller sent. */
const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * `GET /metrics`: the Prometheus text exposition, for a scraper holding `METRICS_TOKEN` as a Bearer token
 * (RFC 6750 §2.1). Without the setting the endpoint does not exist (404, like any unknown path); a missing
 * or wrong token is 401 `invalid_token` (RFC 6750 §3.1). Not in the API description: it is an operator's
 * endpoint, not part of the OAuth API.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  private readonly expected: Buffer | undefined;

  constructor(
    @Inject(OBSERVABILITY_SETTINGS) settings: ObservabilitySettings,
    private readonly metrics: MetricsService,
  ) {
    this.expected = settings.metricsToken === undefined ? undefined : digest(settings.metricsToken);
  }

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.expected) {
      throw new OAuthError('not_found', 404, 'The requested resource does not exist');
    }
    const presented = schemeCredentials(req.headers.authorization, 'Bearer') ?? undefined;
    // Compared as digests in constant time: the comparison reveals nothing about the token's prefix.
    if (presented === undefined || !timingSafeEqual(digest(presented), this.expected)) {
      // The same 401 as the userinfo endpoint gives a request without a valid token.
      throw OAuthError.invalidToken(
        presented === undefined ? 'A bearer token is required' : 'The metrics token is not valid',
      );
    }
    res.type(this.metrics.registry.contentType).send(await this.metrics.render());
  }
}
