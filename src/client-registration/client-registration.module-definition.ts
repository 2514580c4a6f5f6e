import { ConfigurableModuleBuilder } from '@nestjs/common';
import { clientRegistrationControllerFor } from './client-registration.controller.js';
import type {
  ClientRegistrationModuleExtras,
  ClientRegistrationModuleOptions,
} from './client-registration.options.js';

/** Injection token of the response style chosen when the module was composed. */
export const REGISTRATION_RESPONSE_STYLE = Symbol('REGISTRATION_RESPONSE_STYLE');

/**
 * `ClientRegistrationModule.forRoot(options)` / `forRootAsync({ useFactory | useClass | useExisting })`.
 * `responseStyle` is an extra accepted by both: it picks the controller (and so the Swagger document).
 */
export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: CLIENT_REGISTRATION_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<ClientRegistrationModuleOptions>({
  moduleName: 'ClientRegistration',
})
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createRegistrationOptions')
  .setExtras<ClientRegistrationModuleExtras>(
    { responseStyle: 'envelope' },
    (definition, extras) => {
      const style = extras.responseStyle ?? 'envelope';
      return {
        ...definition,
        controllers: [...(definition.controllers ?? []), clientRegistrationControllerFor(style)],
        providers: [
          ...(definition.providers ?? []),
          { provide: REGISTRATION_RESPONSE_STYLE, useValue: style },
        ],
      };
    },
  )
  .build();
