import { Module, type DynamicModule, type InjectionToken } from '@nestjs/common';
import { AuditModule } from '../audit/index.js';
import { ClockModule } from '../common/time/clock.module.js';
import {
  CLIENT_REAPING_OPTIONS,
  ClientReaperService,
  type ClientReapingOptions,
} from './client-reaper.service.js';

/**
 * Idle-client reaping ({@link ClientReaperService}), a part of ClientRegistrationModule's domain that a
 * host composes on its own: `ClientReapingModule.forRoot({ suspendAfterDays, deleteAfterDays })` or
 * `forRootAsync({ inject, useFactory })`. Off unless a day count is set.
 */
@Module({})
export class ClientReapingModule {
  static forRoot(options: ClientReapingOptions = {}): DynamicModule {
    return ClientReapingModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: {
    inject?: InjectionToken[];
    // Nest factories take whatever their `inject` list resolves to.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    useFactory: (...deps: any[]) => ClientReapingOptions;
  }): DynamicModule {
    return {
      module: ClientReapingModule,
      imports: [AuditModule, ClockModule],
      providers: [
        {
          provide: CLIENT_REAPING_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory,
        },
        ClientReaperService,
      ],
      exports: [ClientReaperService],
    };
  }
}
