// Public surface of AuthorizeModule: other modules import only from here.
export { AuthorizeModule } from './authorize.module.js';
export { AuthorizationFlowService } from './authorization-flow.service.js';
export { ConsentsService } from './consents.service.js';
export { LoginSessionsService } from './login-sessions.service.js';
export {
  LOGIN_HANDLER,
  SESSION_COOKIE,
  BINDING_COOKIE,
  AUTHORIZE_PATH,
  LOGIN_PATH,
  CONSENT_PATH,
  PAR_PATH,
  LOGOUT_PATH,
  HOST_COOKIE_PREFIX,
  cookieName,
} from './authorize.constants.js';
export { AUTHORIZE_DEFAULTS } from './authorize.options.js';
export type {
  AuthorizeModuleExtras,
  AuthorizeModuleOptions,
  LoginContext,
  LoginHandler,
  LoginOutcome,
} from './authorize.options.js';
export { PasswordLoginHandler } from './password-login.handler.js';
export {
  LOGIN_LOCKED,
  LoginLockedEvent,
  LoginThrottleService,
  PasswordCheckBusyError,
} from './login-throttle.service.js';
export { loginPage } from './html/pages.js';
export { escapeHtml } from './html/escape.js';
export { sendHtml } from './html/http.js';
import { AuthorizationRequestEntity } from './entities/authorization-request.entity.js';
import { ConsentEntity } from './entities/consent.entity.js';
import { LoginSessionClientEntity } from './entities/login-session-client.entity.js';
import { LoginSessionEntity } from './entities/login-session.entity.js';
import { PushedAuthorizationRequestEntity } from './entities/pushed-authorization-request.entity.js';
/** The entities of AuthorizeModule, for a host's TypeORM connection and `ormconfig.ts`. */
export const AUTHORIZE_ENTITIES = [
  AuthorizationRequestEntity,
  LoginSessionEntity,
  LoginSessionClientEntity,
  ConsentEntity,
  PushedAuthorizationRequestEntity,
];
