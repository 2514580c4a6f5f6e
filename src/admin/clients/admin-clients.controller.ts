import { NoStore } from '../../common/http/no-store.js';
import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  Res,
  ValidationPipe,
} from '@nestjs/common';
import {
  ApiBody,
  ApiExtraModels,
  ApiHeader,
  ApiNoContentResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AuditService, type AuditActor } from '../../audit/index.js';
import {
  ClientAdministrationService,
  PreconditionFailedError,
  type AdminClientInput,
} from '../../client-registration/index.js';
import { OAuthError } from '../../common/errors/oauth-error.js';
import { envelope, type Envelope } from '../../common/http/envelope.js';
import { JsonObjectBody } from '../../common/validation/json-object-body.decorator.js';
import { oauthValidationExceptionFactory } from '../../common/validation/validation-exception.factory.js';
import { AdminActor, AdminAuth } from '../admin-auth.decorator.js';
import { ADMIN_MESSAGES } from '../admin.constants.js';
import { pageInfo, rfc3339, SimpleResponse } from '../dto/simple-response.dto.js';
import {
  toAuditItem,
  toClientItem,
  toCloneResponse,
  toCreateResponse,
} from './admin-clients.mapper.js';
import {
  CreateClientRequest,
  ListClientsQuery,
  PageQuery,
  UpdateClientRequest,
} from './dto/client-requests.dto.js';
import {
  CloneClientDetailResponse,
  CloneClientResponse,
  CreateClientDetailResponse,
  CreateClientResponse,
  OAuthAuditLogListResponse,
  OAuthClientItem,
  OAuthClientItemDetailResponse,
  OAuthClientListResponse,
} from './dto/client-responses.dto.js';
import { clientEtag, ifMatchVersions, preconditionFailed } from '../../common/http/etag.js';

/**
 * Validation of admin bodies and queries: unknown fields are refused (an administrator's typo must not be
 * silently ignored), wrong types are 400 "Invalid request parameters" naming the field; values are never
 * echoed.
 */
const adminPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: false,
  transform: true,
  validateCustomDecorators: true,
  validationError: { target: false, value: false },
  stopAtFirstError: true,
  exceptionFactory: oauthValidationExceptionFactory((field, message) =>
    OAuthError.invalidRequest(message.includes(field) ? message : `${field}: ${message}`),
  ),
});

export const AdminBody = () =>
  JsonObjectBody(
    () => OAuthError.invalidRequest('The request body must be a JSON object'),
    adminPipe,
  );

const CLIENT_ID = { name: 'client_id', description: 'Client ID', type: String };
const SOURCE_CLIENT_ID = { name: 'client_id', description: 'Source client ID', type: String };
const BAD_REQUEST = { status: 400, description: ADMIN_MESSAGES[400], type: SimpleResponse };
const NOT_FOUND = { status: 404, description: 'Client not found', type: SimpleResponse };
const NOT_FOUND_TENANT = { status: 404, description: ADMIN_MESSAGES[404], type: SimpleResponse };

/** The reference's request fields onto the service's input. */
export function toInput(body: CreateClientRequest | UpdateClientRequest): AdminClientInput {
  const input: AdminClientInput = {};
  if (body.name !== undefined) input.name = body.name;
  if (body.redirect_uris !== undefined) input.redirectUris = body.redirect_uris;
  if (body.scopes !== undefined) input.scopes = body.scopes;
  if (body.grant_types !== undefined) input.grantTypes = body.grant_types;
  if (body.client_auth_methods !== undefined) input.clientAuthMethods = body.client_auth_methods;
  if (body.is_confidential !== undefined) input.isConfidential = body.is_confidential;
  if (body.jwks !== undefined) input.jwks = body.jwks;
  if (body.jwks_uri !== undefined) input.jwksUri = body.jwks_uri;
  if (body.logo_url !== undefined) input.logoUrl = body.logo_url;
  if (body.privacy_policy !== undefined) input.privacyPolicy = body.privacy_policy;
  if (body.terms_url !== undefined) input.termsUrl = body.terms_url;
  if (body.website !== undefined) input.website = body.website;
  if (body.fapi_profile !== undefined) input.fapiProfile = body.fapi_profile;
  if ('status' in body && body.status !== undefined) input.status = body.status;
  return input;
}

/**
 * OAuth client management (reference O27-O33, issue 8): list, create, read, update (including
 * suspension), soft delete, audit logs and clone, for administrators. Every change is audited with the
 * caller as actor; reads carry an `ETag` and updates honour `If-Match`.
 */
@ApiTags('OAuth Client Management')
@ApiExtraModels(SimpleResponse, OAuthClientItem, CreateClientResponse, CloneClientResponse)
@AdminAuth()
@Controller('admin/oauth/clients')
export class AdminClientsController {
  constructor(
    private readonly clients: ClientAdministrationService,
    private readonly audit: AuditService,
  ) {}

  @Get()
  @NoStore()
  @ApiOperation({
    summary: 'List OAuth Clients',
    description:
      'Returns a paginated list of OAuth clients in the current tenant, filterable by name and status. ' +
      'Newest first. `name` is a case-insensitive prefix of the client name. `page` reaches at most ' +
      '10,000 clients deep; continue beyond with the keyset cursor `after` (the `next_cursor` of the ' +
      'previous page), which costs the same at any depth.',
  })
  @ApiQuery({
    name: 'page',
    required: false,
    type: 'integer',
    description: 'Page number (default 1)',
  })
  @ApiQuery({
    name: 'page_size',
    required: false,
    type: 'integer',
    description: 'Number of items per page (default 20, at most 100)',
  })
  @ApiQuery({ name: 'name', required: false, type: String, description: 'Search by name' })
  @ApiQuery({
    name: 'status',
    required: false,
    type: String,
    description: 'Filter by status (active/suspended)',
  })
  @ApiQuery({
    name: 'after',
    required: false,
    type: String,
    description: 'Keyset cursor: the `next_cursor` of the previous page (replaces `page`)',
  })
  @ApiResponse({ status: 200, description: 'Client list', type: OAuthClientListResponse })
  @ApiResponse(BAD_REQUEST)
  async list(@Query(adminPipe) q: ListClientsQuery): Promise<OAuthClientListResponse> {
    const page = q.page ?? 1;
    const pageSize = q.page_size ?? 20;
    const result = await this.clients.list({
      page,
      pageSize,
      name: q.name,
      status: q.status,
      after: q.after,
    });
    const items = result.items.map(toClientItem);
    const last = result.items.at(-1);
    return {
      code: 200,
      items,
      message: 'success',
      pagination: pageInfo(page, pageSize, result.total),
      timestamp: rfc3339(),
      total: result.total,
      next_cursor: last && items.length === pageSize ? last.id : null,
    };
  }

  @Post()
  @HttpCode(201)
  @NoStore()
  @ApiOperation({
    summary: 'Create OAuth Client',
    description:
      'Creates a new OAuth client and returns credentials (client_secret returned once). Supports ' +
      'configuring redirect_uris, scopes, grant_types, JWKS, FAPI profile, etc. The metadata rules are ' +
      'those of registration (RFC 7591 §2); the scope "admin" cannot be given here.',
  })
  @ApiBody({
    type: CreateClientRequest,
    required: true,
    description: 'Create client request (includes name, redirect_uris, scopes, grant_types, etc.)',
  })
  @ApiResponse({
    status: 201,
    description: 'Created successfully (includes client_id and client_secret)',
    type: CreateClientDetailResponse,
  })
  @ApiResponse(BAD_REQUEST)
  async create(
    @Req() req: Request,
    @AdminActor() actor: AuditActor,
    @AdminBody() body: CreateClientRequest,
  ): Promise<Envelope<CreateClientResponse>> {
    const issued = await this.clients.create(toInput(body), actor, {
      origin: 'admin',
      ip: req.ip ?? null,
    });
    return envelope(201, toCreateResponse(issued), 'Client created');
  }

  @Get(':client_id')
  @NoStore()
  @ApiOperation({
    summary: 'Get OAuth Client Details',
    description:
      'Retrieves full details of a specific client by client_id. The `ETag` header names the version, ' +
      'for `If-Match` on update.',
  })
  @ApiParam(CLIENT_ID)
  @ApiResponse({
    status: 200,
    description: 'Client details',
    type: OAuthClientItemDetailResponse,
    headers: {
      ETag: { description: 'Version of the client (RFC 9110 §8.8.3)', schema: { type: 'string' } },
    },
  })
  @ApiResponse(BAD_REQUEST)
  @ApiResponse(NOT_FOUND)
  async get(
    @Param('client_id') clientId: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Envelope<OAuthClientItem>> {
    const client = await this.clients.get(clientId);
    res.setHeader('ETag', clientEtag(client.version));
    return envelope(200, toClientItem(client), 'success');
  }

  @Put(':client_id')
  @NoStore()
  @ApiOperation({
    summary: 'Update OAuth Client Configuration',
    description:
      'Updates configuration of a specified OAuth client (redirect_uris, scopes, grant_types, name, ' +
      'status, JWKS, etc.). Fields not given keep their value. `status: suspended` stops the client at ' +
      'once: no token at any grant, its tokens refused at introspection and userinfo. With `If-Match` ' +
      '(the `ETag` of a read) the update applies only to that version, else 412; without it, the last ' +
      'of concurrent updates wins.',
  })
  @ApiParam(CLIENT_ID)
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'ETag of the version read (RFC 9110 §13.1.1); 412 when the client changed since',
  })
  @ApiBody({ type: UpdateClientRequest, required: true, description: 'Update request' })
  @ApiResponse({
    status: 200,
    description: 'Update successful',
    type: OAuthClientItemDetailResponse,
    headers: { ETag: { description: 'The new version', schema: { type: 'string' } } },
  })
  @ApiResponse(BAD_REQUEST)
  @ApiResponse(NOT_FOUND)
  @ApiResponse({
    status: 412,
    description: 'If-Match does not match the current version',
    type: SimpleResponse,
  })
  async update(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @AdminActor() actor: AuditActor,
    @Param('client_id') clientId: string,
    @AdminBody() body: UpdateClientRequest,
  ): Promise<Envelope<OAuthClientItem>> {
    try {
      const client = await this.clients.update(clientId, toInput(body), actor, {
        ifMatch: ifMatchVersions(req.headers['if-match']),
        ip: req.ip ?? null,
      });
      res.setHeader('ETag', clientEtag(client.version));
      return envelope(200, toClientItem(client), 'Client updated');
    } catch (e) {
      if (e instanceof PreconditionFailedError) throw preconditionFailed();
      throw e;
    }
  }

  @Delete(':client_id')
  @HttpCode(204)
  @NoStore()
  @ApiOperation({
    summary: 'Delete OAuth Client',
    description:
      'Soft-deletes a specified OAuth client and its associated tokens: its secret, registration ' +
      'access token and tokens stop working at once.',
  })
  @ApiParam(CLIENT_ID)
  @ApiNoContentResponse({ description: 'Deleted successfully (no response body)' })
  @ApiResponse(BAD_REQUEST)
  @ApiResponse(NOT_FOUND_TENANT)
  async delete(
    @Req() req: Request,
    @AdminActor() actor: AuditActor,
    @Param('client_id') clientId: string,
  ): Promise<void> {
    await this.clients.delete(clientId, actor, req.ip ?? null);
  }

  @Get(':client_id/audit-logs')
  @NoStore()
  @ApiOperation({
    summary: 'Get OAuth Client Audit Logs',
    description:
      'Returns audit logs for a specified client (operator, operation time, operation type, change ' +
      'details, etc.), newest first. Deleted clients keep their history.',
  })
  @ApiParam(CLIENT_ID)
  @ApiQuery({ name: 'page', required: false, type: 'integer', description: 'Page number' })
  @ApiQuery({
    name: 'page_size',
    required: false,
    type: 'integer',
    description: 'Number of items per page',
  })
  @ApiResponse({ status: 200, description: 'Audit log list', type: OAuthAuditLogListResponse })
  @ApiResponse(BAD_REQUEST)
  @ApiResponse(NOT_FOUND_TENANT)
  async auditLogs(
    @Param('client_id') clientId: string,
    @Query(adminPipe) q: PageQuery,
  ): Promise<OAuthAuditLogListResponse> {
    const page = q.page ?? 1;
    const pageSize = q.page_size ?? 20;
    const result = await this.audit.list(clientId, page, pageSize);
    // A client that never existed has no history: 404. A deleted one keeps its history.
    if (result.total === 0) throw notFoundInTenant();
    return {
      code: 200,
      items: result.items.map(toAuditItem),
      message: 'success',
      pagination: pageInfo(page, pageSize, result.total),
      timestamp: rfc3339(),
      total: result.total,
    };
  }

  @Post(':client_id/clone')
  @HttpCode(201)
  @NoStore()
  @ApiOperation({
    summary: 'Clone OAuth Client',
    description:
      "Clones a specified client and returns new credentials (client_secret returned once). Retains the original client's redirect_uris, scopes, grant_types, JWKS, etc. Both clients get an audit entry.",
  })
  @ApiParam(SOURCE_CLIENT_ID)
  @ApiResponse({
    status: 201,
    description: 'New client (includes client_id and client_secret)',
    type: CloneClientDetailResponse,
  })
  @ApiResponse(BAD_REQUEST)
  @ApiResponse(NOT_FOUND_TENANT)
  async clone(
    @Req() req: Request,
    @AdminActor() actor: AuditActor,
    @Param('client_id') clientId: string,
  ): Promise<Envelope<CloneClientResponse>> {
    const issued = await this.clients.clone(clientId, actor, req.ip ?? null);
    return envelope(201, toCloneResponse(issued), 'Client cloned');
  }
}

function notFoundInTenant(): OAuthError {
  return new OAuthError('not_found', 404, ADMIN_MESSAGES[404]);
}
