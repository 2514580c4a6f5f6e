import { Controller, Header, HttpCode, Post, Req, UseFilters, UseGuards } from '@nestjs/common';
import type { Request } from 'express';
import {
  AdminBody,
  CreateClientRequest,
  toCreateResponse,
  toInput,
  type CreateClientResponse,
} from '../admin/index.js';
import { ClientAdministrationService } from '../client-registration/index.js';
import {
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { OAuthError } from '../common/errors/oauth-error.js';
import { envelope, type Envelope } from '../common/http/envelope.js';
import { ApiSimpleErrors } from '../admin/index.js';
import { SimpleResponseExceptionFilter } from '../common/errors/simple-response-exception.filter.js';
import { JsonObjectBody } from '../common/validation/json-object-body.decorator.js';
import { TokenIntrospectionService } from '../token/index.js';
import {
  BatchRevokeDetailResponse,
  type BatchRevokeUserTokensResponse,
} from './dto/batch-revoke-user-tokens-response.dto.js';
import { InternalCreateClientResponse } from './dto/internal-create-client-response.dto.js';
import { InternalIntrospectRequest } from './dto/internal-introspect-request.dto.js';
import {
  InternalIntrospectDetailResponse,
  type InternalIntrospectResponse,
} from './dto/internal-introspect-response.dto.js';
import { InternalRevokeUserTokensRequest } from './dto/internal-revoke-user-tokens-request.dto.js';
import { InternalApiKeyGuard, InternalCaller } from './internal-api-key.guard.js';
import { INTERNAL_API_KEY_SCHEME } from './internal-api.constants.js';
import { UserDataService } from './user-data.service.js';

const notAnObject = () => OAuthError.invalidRequest('The request body must be a JSON object');

/** A required string field of a JSON body, at most `max` characters; 400 `invalid_request` otherwise. */
function requiredString(body: Record<string, unknown>, name: string, max: number): string {
  const v = body[name];
  if (typeof v !== 'string' || v.trim() === '') {
    throw OAuthError.invalidRequest(`${name} is required (a non-empty string)`);
  }
  if (v.length > max) throw OAuthError.invalidRequest(`${name} is longer than ${max} characters`);
  return v;
}

/**
 * The service-to-service API of the reference (tag "OAuth - Internal"): introspection for other services
 * of the company and the erasure cascade, authenticated by `X-API-Key` ({@link InternalApiKeyGuard}),
 * JSON in and the oauth-service envelope out; errors in the reference's `SimpleResponse` shape with the
 * OAuth pair. Off (404) unless `INTERNAL_API_KEYS` is set.
 */
@ApiTags('OAuth - Internal')
@ApiSecurity(INTERNAL_API_KEY_SCHEME)
@UseGuards(InternalApiKeyGuard)
@UseFilters(
  new SimpleResponseExceptionFilter({ 401: 'No valid X-API-Key provided' }, 'InternalApiError'),
)
@Controller('internal/oauth')
export class InternalOAuthController {
  constructor(
    private readonly introspection: TokenIntrospectionService,
    private readonly userData: UserDataService,
    private readonly clients: ClientAdministrationService,
  ) {}

  @Post('clients')
  @HttpCode(201)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Internal Create OAuth Client',
    description:
      'Internal API, called by another service (e.g. the tenant service) to create an OAuth client. Same ' +
      'body and rules as POST /admin/oauth/clients; the client secret is returned once. The client is ' +
      'recorded as created by the internal API (never reaped when idle) and the creation is audited ' +
      'with the API key id as actor.',
  })
  @ApiConsumes('application/json')
  @ApiBody({ type: CreateClientRequest })
  @ApiResponse({
    status: 201,
    description: 'Created successfully',
    type: InternalCreateClientResponse,
  })
  @ApiSimpleErrors(
    [400, 'invalid_request: Invalid request parameters'],
    [401, 'invalid_client: No valid X-API-Key provided'],
    [404, 'not_found: the internal API is off (INTERNAL_API_KEYS unset)'],
    [415, 'invalid_request: Content-Type must be application/json'],
    [500, 'server_error: Internal server error'],
  )
  async createClient(
    @AdminBody() body: CreateClientRequest,
    @InternalCaller() keyId: string,
    @Req() req: Request,
  ): Promise<Envelope<CreateClientResponse>> {
    const issued = await this.clients.create(
      toInput(body),
      { type: 'api_key', id: keyId },
      { origin: 'internal', ip: req.ip ?? null },
    );
    return envelope(201, toCreateResponse(issued), 'Client created');
  }

  @Post('introspect')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Internal Token Introspection',
    description:
      'Internal token introspection endpoint, only for inter-service calls (X-API-Key). Uses the ' +
      'envelope {code, data, message, timestamp}. Differs from the standard /oauth/introspect: accepts ' +
      'only a JSON body, answers in the envelope, and sees every token (the caller is a trusted service, ' +
      'not an OAuth client). Inactive, unknown, expired and revoked tokens answer data {"active": false}. ' +
      'Introspecting never revokes or rotates a token.',
  })
  @ApiConsumes('application/json')
  @ApiBody({ type: InternalIntrospectRequest })
  @ApiOkResponse({
    description: 'Introspection result (includes active, client_id, user_id, scope, exp)',
    type: InternalIntrospectDetailResponse,
  })
  @ApiSimpleErrors(
    [400, 'invalid_request: Invalid request parameters: missing token'],
    [401, 'invalid_client: No valid X-API-Key provided'],
    [404, 'not_found: the internal API is off (INTERNAL_API_KEYS unset)'],
    [415, 'invalid_request: Content-Type must be application/json'],
    [500, 'server_error: Internal server error'],
  )
  async introspect(
    @JsonObjectBody(notAnObject) body: Record<string, unknown>,
  ): Promise<Envelope<InternalIntrospectResponse>> {
    const token = requiredString(body, 'token', 8192);
    const info = await this.introspection.find(token);
    if (!info) return envelope(200, { active: false }, 'success');
    const data: InternalIntrospectResponse = {
      active: true,
      client_id: info.clientId,
      scope: info.scope,
      exp: info.exp,
    };
    if (info.userId !== null) data.user_id = info.userId;
    return envelope(200, data, 'success');
  }

  @Post('revoke-user-tokens')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Internal Revoke User Tokens (GDPR erasure cascade)',
    description:
      'Called by the identity service on password change, account lock-out or GDPR erasure: revokes ' +
      "every access and refresh token of the user (and unredeemed codes), deletes the user's remembered " +
      'consents and login sessions, in one transaction. Idempotent: a repeated call succeeds with zero ' +
      'counts. Takes effect at once on every instance.',
  })
  @ApiConsumes('application/json')
  @ApiBody({ type: InternalRevokeUserTokensRequest })
  @ApiOkResponse({
    description:
      'Revocation result (includes revoked_access_tokens, revoked_refresh_tokens counts)',
    type: BatchRevokeDetailResponse,
  })
  @ApiSimpleErrors(
    [400, 'invalid_request: Invalid request parameters: missing user_id'],
    [401, 'invalid_client: No valid X-API-Key provided'],
    [404, 'not_found: the internal API is off (INTERNAL_API_KEYS unset)'],
    [415, 'invalid_request: Content-Type must be application/json'],
    [500, 'server_error: Internal server error'],
  )
  async revokeUserTokens(
    @JsonObjectBody(notAnObject) body: Record<string, unknown>,
    @InternalCaller() keyId: string,
  ): Promise<Envelope<BatchRevokeUserTokensResponse>> {
    const userId = requiredString(body, 'user_id', 191);
    const c = await this.userData.erase(userId, { type: 'api_key', id: keyId });
    return envelope(
      200,
      {
        revoked_access_tokens: c.accessTokens,
        revoked_refresh_tokens: c.refreshTokens,
        deleted_consents: c.consents,
        deleted_login_sessions: c.loginSessions,
      },
      'success',
    );
  }
}
