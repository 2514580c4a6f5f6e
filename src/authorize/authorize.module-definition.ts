import { ConfigurableModuleBuilder } from '@nestjs/common';
import { LOGIN_HANDLER } from './authorize.constants.js';
import type { AuthorizeModuleExtras, AuthorizeModuleOptions } from './authorize.options.js';
import { PasswordLoginHandler } from './password-login.handler.js';

/**
 * `AuthorizeModule.forRoot(options)` / `forRootAsync({ useFactory | useClass | useExisting })` (a
 * `useClass` / `useExisting` provider implements `createAuthorizeOptions()`), each with the composition
 * extras `token`, `loginHandler` and `imports` ({@link AuthorizeModuleExtras}).
 */
export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: AUTHORIZE_MODULE_OPTIONS,
  OPTIONS_TYPE: AUTHORIZE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTHORIZE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthorizeModuleOptions>({ moduleName: 'Authorize' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createAuthorizeOptions')
  .setExtras<AuthorizeModuleExtras>(
    { loginHandler: undefined, imports: [], token: undefined },
    (definition, extras) => {
      if (!extras.token) {
        throw new Error(
          'AuthorizeModule needs the `token` option: the TokenModule.forRoot/forRootAsync(...) module ' +
            'the application imports (it issues the authorization codes)',
        );
      }
      const handler = extras.loginHandler ?? PasswordLoginHandler;
      return {
        ...definition,
        imports: [...(definition.imports ?? []), extras.token, ...(extras.imports ?? [])],
        providers: [
          ...(definition.providers ?? []),
          handler,
          { provide: LOGIN_HANDLER, useExisting: handler },
        ],
      };
    },
  )
  .build();
