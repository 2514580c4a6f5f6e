import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { TokenModuleOptions } from './token.options.js';

/**
 * `TokenModule.forRoot(options)` / `forRootAsync({ useFactory | useClass | useExisting })` (a `useClass`
 * / `useExisting` provider implements `createTokenOptions()`).
 */
export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: TOKEN_MODULE_OPTIONS,
  OPTIONS_TYPE: TOKEN_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: TOKEN_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TokenModuleOptions>({ moduleName: 'Token' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createTokenOptions')
  .build();
