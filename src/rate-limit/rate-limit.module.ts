import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RateLimitCounterEntity } from './entities/rate-limit-counter.entity.js';
import { RateLimitStorageModule } from './rate-limit-storage.module.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimitService } from './rate-limit.service.js';

/**
 * Rate limits declared on routes (`@RateLimit(name)`) through `@nestjs/throttler`, counted in the database
 * in fixed windows so that a limit holds across instances. Importing it registers {@link RateLimitGuard}
 * globally; each feature module provides the policies of the limits its routes declare
 * (`provideRateLimit`). Exports {@link RateLimitService} for limits counted by hand (any key).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([RateLimitCounterEntity]),
    DiscoveryModule,
    ThrottlerModule.forRootAsync({
      imports: [RateLimitStorageModule],
      inject: [RateLimitService],
      // No global throttlers: every limit is declared on its route (see RateLimitGuard).
      useFactory: (storage: RateLimitService) => ({ storage, throttlers: [] }),
    }),
    RateLimitStorageModule,
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
  exports: [RateLimitStorageModule],
})
export class RateLimitModule {}
