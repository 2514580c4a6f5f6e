import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig, loadConfig } from './app-config.js';

/**
 * Provides the validated {@link AppConfig} to every module. `overrides` are merged over `process.env`
 * (tests boot differently configured apps in one process this way).
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(overrides: Record<string, string | undefined> = {}): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [
        { provide: AppConfig, useFactory: () => loadConfig({ ...process.env, ...overrides }) },
      ],
      exports: [AppConfig],
    };
  }
}
