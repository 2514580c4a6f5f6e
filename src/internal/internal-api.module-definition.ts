import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { InternalApiModuleExtras, InternalApiModuleOptions } from './internal-api.options.js';

/**
 * `InternalApiModule.forRoot(options)` / `forRootAsync(...)`, with the extra `imports`: the configured
 * TokenModule and AuthorizeModule of the application (the same objects, so Nest builds them once).
 */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: INTERNAL_API_MODULE_OPTIONS } =
  new ConfigurableModuleBuilder<InternalApiModuleOptions>({ moduleName: 'InternalApi' })
    .setClassMethodName('forRoot')
    .setExtras<InternalApiModuleExtras>({ imports: [] }, (definition, extras) => ({
      ...definition,
      imports: [...(definition.imports ?? []), ...(extras.imports ?? [])],
    }))
    .build();
