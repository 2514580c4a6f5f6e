import { Module } from '@nestjs/common';
import { Clock } from './clock.js';

/** Provides the one {@link Clock} of an application to the modules that import it. */
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
