import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RateLimitCounterEntity } from './entities/rate-limit-counter.entity.js';
import { RateLimitService } from './rate-limit.service.js';

/** Database-backed fixed-window rate limiting shared by registration and the token endpoint. */
@Module({
  imports: [TypeOrmModule.forFeature([RateLimitCounterEntity])],
  providers: [RateLimitService],
  exports: [RateLimitService],
})
export class RateLimitModule {}
