import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';

/** Health endpoint for load balancers. */
@Module({ imports: [TerminusModule], controllers: [HealthController] })
export class HealthModule {}
