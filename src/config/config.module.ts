import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig, loadConfig } from './app-config.js';

/**
 * Provides the validated {@link AppConfig} to every module. `overrides` are merged over `process.env`
 * (tests boot differently configured apps in one process this way).
 */
@Global()
@Module({})
export class AppConfigModule {
  /**
   * The validated configuration, outside dependency injection: for the few settings that shape how
   * modules are composed (e.g. the registration response style, which picks a controller).
   */
  static load(overrides: Record<string, string | undefined> = {}): AppConfig {
    return loadConfig({ ...process.env, ...overrides });
  }

  static forRoot(overrides: Record<string, string | undefined> = {}): DynamicModule {
    return {
      module: AppConfigModule,
      providers: [{ provide: AppConfig, useFactory: () => AppConfigModule.load(overrides) }],
      exports: [AppConfig],
    };
  }
}
