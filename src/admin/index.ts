// Public surface of AdminModule: other modules import only from here.
export { AdminModule, type AdminModuleOptions } from './admin.module.js';
export { AdminAuth, AdminActor, AdminCaller, ApiSimpleErrors } from './admin-auth.decorator.js';
export { AdminAuthenticator, type AdminPrincipal } from './admin-authenticator.service.js';
export { AdminGuard, type AdminRequest } from './admin.guard.js';
export { AdminExceptionFilter } from './admin-exception.filter.js';
export { ADMIN_MESSAGES } from './admin.constants.js';
export { PageInfo, SimpleResponse, pageInfo, rfc3339 } from './dto/simple-response.dto.js';
// Client creation as the administration API does it (O29), reused by the internal API (O50).
export { AdminBody, toInput } from './clients/admin-clients.controller.js';
export { toCreateResponse } from './clients/admin-clients.mapper.js';
export { CreateClientRequest } from './clients/dto/client-requests.dto.js';
export { CreateClientResponse } from './clients/dto/client-responses.dto.js';
