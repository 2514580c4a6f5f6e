import {
  applyDecorators,
  createParamDecorator,
  UseFilters,
  UseGuards,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiBearerAuth, ApiResponse } from '@nestjs/swagger';
import type { AuditActor } from '../audit/index.js';
import { ACCESS_TOKEN_SCHEME } from '../common/swagger/swagger.setup.js';
import { ADMIN_MESSAGES } from './admin.constants.js';
import type { AdminPrincipal } from './admin-authenticator.service.js';
import { AdminExceptionFilter } from './admin-exception.filter.js';
import { AdminGuard, type AdminRequest } from './admin.guard.js';
import { SimpleResponse } from './dto/simple-response.dto.js';

/**
 * Protects a controller (or one route) of the administration API (issue 8): an access token of this
 * server with the `admin` scope, held by an administrator or an operator-created client; 401 / 403
 * otherwise. Errors of the routes it covers answer in the reference's `SimpleResponse` shape. Documents
 * the bearer scheme and the 401 / 403 / 500 responses with the reference's texts.
 *
 * ```ts
 * @AdminAuth()
 * @Controller('admin/oauth/clients')
 * export class MyAdminController {
 *   @Get() list(@AdminActor() actor: AuditActor) { ... }
 * }
 * ```
 * `AdminModule` is global: any module's controller can use it.
 */
export const AdminAuth = () =>
  applyDecorators(
    UseGuards(AdminGuard),
    UseFilters(AdminExceptionFilter),
    ApiBearerAuth(ACCESS_TOKEN_SCHEME),
    ApiResponse({ status: 401, description: ADMIN_MESSAGES[401], type: SimpleResponse }),
    ApiResponse({ status: 403, description: ADMIN_MESSAGES[403], type: SimpleResponse }),
    ApiResponse({ status: 500, description: ADMIN_MESSAGES[500], type: SimpleResponse }),
  );

/**
 * Documents error statuses of an operation whose errors answer in the reference's `SimpleResponse`
 * shape ({@link SimpleResponseExceptionFilter}); `[status, description]` pairs as for `ApiOAuthErrors`.
 */
export const ApiSimpleErrors = (...errors: [number, string][]) =>
  applyDecorators(
    ...errors.map(([status, description]) =>
      ApiResponse({ status, description, type: SimpleResponse }),
    ),
  );

/** The audit actor of the authenticated admin call (`admin_user` with the user id, or `client`). */
export const AdminActor = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuditActor =>
    ctx.switchToHttp().getRequest<AdminRequest>().admin.actor,
);

/** The whole principal of the authenticated admin call (actor, token client, token id). */
export const AdminCaller = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AdminPrincipal =>
    ctx.switchToHttp().getRequest<AdminRequest>().admin,
);
