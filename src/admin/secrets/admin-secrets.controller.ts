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
  ValidationPipe,
} from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { AuditService, type AuditActor } from '../../audit/index.js';
import {
  ClientSecretError,
  ClientSecretsService,
  ClientsService,
  MAX_ACTIVE_SECRETS,
  type ClientSecretInfo,
} from '../../client-registration/index.js';
import { OAuthError } from '../../common/errors/oauth-error.js';
import { envelope, type Envelope } from '../../common/http/envelope.js';
import { Clock } from '../../common/time/clock.js';
import { oauthValidationExceptionFactory } from '../../common/validation/validation-exception.factory.js';
import { ClientUsageService } from '../../token/index.js';
import { AdminActor, AdminAuth } from '../admin-auth.decorator.js';
import { ADMIN_MESSAGES } from '../admin.constants.js';
import { pageInfo, rfc3339, SimpleResponse } from '../dto/simple-response.dto.js';
import {
  ClientStatsDetailResponse,
  type ClientStatsResponse,
  CreateClientSecretDetailResponse,
  type CreateClientSecretResponse,
  OAuthClientSecretDetailResponse,
  OAuthClientSecretListDetailResponse,
  type OAuthClientSecretListData,
  type OAuthClientSecretResponse,
  OAuthTokenListResponse,
  RevokeClientTokensDetailResponse,
  type RevokeClientTokensResponse,
  RevokeTokensQuery,
  RotateSecretDetailResponse,
  type RotateSecretResponse,
  TokenPageQuery,
} from './admin-secrets.dto.js';

/** Query validation: unknown parameters and wrong types are 400 naming the parameter. */
const queryPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  validationError: { target: false, value: false },
  stopAtFirstError: true,
  exceptionFactory: oauthValidationExceptionFactory((field, message) =>
    OAuthError.invalidRequest(message.includes(field) ? message : `${field}: ${message}`),
  ),
});

const CLIENT_ID = { name: 'client_id', description: 'Client ID', type: String };
const SECRET_ID = { name: 'secret_id', description: 'Secret ID', type: String };
const BAD_REQUEST = { status: 400, description: ADMIN_MESSAGES[400], type: SimpleResponse };
const NOT_FOUND_TENANT = { status: 404, description: ADMIN_MESSAGES[404], type: SimpleResponse };
const NOT_FOUND_SECRET = {
  status: 404,
  description: 'Client or secret not found',
  type: SimpleResponse,
};

/**
 * Secrets and usage of one OAuth client (reference O34–O41, issue 8), for administrators: rotate a secret
 * with a grace period, list, create (at most two active), delete (never the last active one), deactivate;
 * token statistics, the active tokens, and revoking them all. Secret values are shown once, when issued;
 * nothing else ever carries a value or a hash. Every change writes an audit row in its transaction and
 * emits it as `client.secret_rotated`, `client.secret_created`, `client.secret_deactivated`,
 * `client.secret_deleted` or `client.tokens_revoked`.
 */
@ApiTags('OAuth Client Management')
@AdminAuth()
@Controller('admin/oauth/clients/:client_id')
export class AdminClientSecretsController {
  constructor(
    private readonly secrets: ClientSecretsService,
    private readonly clients: ClientsService,
    private readonly usage: ClientUsageService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  @Post('rotate-secret')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary: 'Rotate OAuth Client Secret',
    description:
      'Generates a new secret for a specified client (returned once). Every active secret becomes ' +
      'inactive but keeps authenticating for the grace period (CLIENT_SECRET_ROTATION_GRACE, 4 hours by ' +
      'default), so the client can switch without an outage; then it stops.',
  })
  @ApiParam(CLIENT_ID)
  @ApiResponse({
    status: 200,
    description: 'New secret (includes new_secret, returned once)',
    type: RotateSecretDetailResponse,
  })
  @ApiResponse(BAD_REQUEST)
  @ApiResponse(NOT_FOUND_TENANT)
  async rotate(
    @Req() req: Request,
    @Param('client_id') clientId: string,
    @AdminActor() actor: AuditActor,
  ): Promise<Envelope<RotateSecretResponse>> {
    const { issued, change } = await this.run(() =>
      this.audit.transaction(async (m) => {
        const result = await this.secrets.rotate(clientId, m);
        const retired = result.change.retired ?? [];
        await this.audit.record(m, {
          clientId,
          actor,
          operation: 'client.secret_rotated',
          ip: req.ip ?? null,
          changes: {
            active_secrets: {
              from: retired.map((r) => r.secretId),
              to: [result.issued.secretId],
            },
            ...(retired.length > 0
              ? {
                  previous_secrets_expire_at: {
                    to: rfc3339(new Date(Math.max(...retired.map((r) => r.expiresAt)) * 1000)),
                  },
                }
              : {}),
          },
        });
        return result;
      }),
    );
    const retired = change.retired ?? [];
    return envelope(
      200,
      {
        client_id: clientId,
        new_secret: issued.value,
        rotated_at: rfc3339(issued.createdAt),
        secret_id: issued.secretId,
        previous_secret_expires_at:
          retired.length > 0
            ? rfc3339(new Date(Math.max(...retired.map((r) => r.expiresAt)) * 1000))
            : null,
      },
      'Secret rotated',
    );
  }

  @Get('secrets')
  @NoStore()
  @ApiOperation({
    summary: 'List All Secrets for OAuth Client',
    description:
      'Returns metadata for all secrets of a specified client (without secret values), newest first.',
  })
  @ApiParam(CLIENT_ID)
  @ApiResponse({
    status: 200,
    description: 'Secret list (includes secret_id, status, created_at, last_used_at, etc.)',
    type: OAuthClientSecretListDetailResponse,
  })
  @ApiResponse(BAD_REQUEST)
  @ApiResponse(NOT_FOUND_TENANT)
  async list(@Param('client_id') clientId: string): Promise<Envelope<OAuthClientSecretListData>> {
    const list = await this.run(() => this.secrets.list(clientId));
    const now = this.clock.nowSeconds();
    return envelope(200, { secrets: list.map((s) => toSecretItem(s, now)) }, 'success');
  }

  @Post('secrets')
  @HttpCode(201)
  @NoStore()
  @ApiOperation({
    summary: 'Create OAuth Client Secret',
    description:
      'Creates a new secret for a specified client (secret_value returned once), beside the current ' +
      `one: at most ${MAX_ACTIVE_SECRETS} active secrets, 409 beyond.`,
  })
  @ApiParam(CLIENT_ID)
  @ApiResponse({
    status: 201,
    description: 'New secret (includes secret_value, returned once)',
    type: CreateClientSecretDetailResponse,
  })
  @ApiResponse(BAD_REQUEST)
  @ApiResponse(NOT_FOUND_TENANT)
  @ApiResponse({
    status: 409,
    description: 'Conflict: maximum number of secrets reached (max 2)',
    type: SimpleResponse,
  })
  async create(
    @Req() req: Request,
    @Param('client_id') clientId: string,
    @AdminActor() actor: AuditActor,
  ): Promise<Envelope<CreateClientSecretResponse>> {
    const { issued } = await this.run(() =>
      this.audit.transaction(async (m) => {
        const result = await this.secrets.create(clientId, m);
        await this.audit.record(m, {
          clientId,
          actor,
          operation: 'client.secret_created',
          ip: req.ip ?? null,
          changes: { secret_id: { to: result.issued.secretId } },
        });
        return result;
      }),
    );
    return envelope(
      201,
      {
        secret_id: issued.secretId,
        secret_value: issued.value,
        status: issued.status,
        created_at: rfc3339(issued.createdAt),
        expires_at: epochToRfc3339(issued.expiresAt),
      },
      'Secret created',
    );
  }

  @Delete('secrets/:secret_id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete OAuth Client Secret',
    description:
      "Hard-deletes a specified secret. The client's last active secret cannot be deleted (400): " +
      'create or rotate first.',
  })
  @ApiParam(CLIENT_ID)
  @ApiParam(SECRET_ID)
  @ApiNoContentResponse({ description: 'Deleted successfully (no response body)' })
  @ApiResponse({
    status: 400,
    description: 'Invalid request parameters: cannot delete the last secret',
    type: SimpleResponse,
  })
  @ApiResponse(NOT_FOUND_SECRET)
  async delete(
    @Req() req: Request,
    @Param('client_id') clientId: string,
    @Param('secret_id') secretId: string,
    @AdminActor() actor: AuditActor,
  ): Promise<void> {
    await this.run(() =>
      this.audit.transaction(async (m) => {
        await this.secrets.delete(clientId, secretId, m);
        await this.audit.record(m, {
          clientId,
          actor,
          operation: 'client.secret_deleted',
          ip: req.ip ?? null,
          changes: { secret_id: { from: secretId } },
        });
      }),
    );
  }

  @Put('secrets/:secret_id/deactivate')
  @NoStore()
  @ApiOperation({
    summary: 'Deactivate OAuth Client Secret',
    description:
      "Sets a specified secret's status to inactive: it stops authenticating at once. Tokens already " +
      'issued stay valid (revoke them with DELETE …/tokens).',
  })
  @ApiParam(CLIENT_ID)
  @ApiParam(SECRET_ID)
  @ApiResponse({
    status: 200,
    description: 'Updated secret information (status=inactive)',
    type: OAuthClientSecretDetailResponse,
  })
  @ApiResponse(BAD_REQUEST)
  @ApiResponse(NOT_FOUND_SECRET)
  async deactivate(
    @Req() req: Request,
    @Param('client_id') clientId: string,
    @Param('secret_id') secretId: string,
    @AdminActor() actor: AuditActor,
  ): Promise<Envelope<OAuthClientSecretResponse>> {
    const { secret } = await this.run(() =>
      this.audit.transaction(async (m) => {
        const before = (await this.secrets.list(clientId, m)).find((s) => s.secretId === secretId);
        const result = await this.secrets.deactivate(clientId, secretId, m);
        await this.audit.record(m, {
          clientId,
          actor,
          operation: 'client.secret_deactivated',
          ip: req.ip ?? null,
          changes: {
            secret_id: { from: secretId, to: secretId },
            status: { from: before?.status ?? null, to: 'inactive' },
          },
        });
        return result;
      }),
    );
    return envelope(200, toSecretItem(secret, this.clock.nowSeconds()), 'Secret deactivated');
  }

  @Get('stats')
  @NoStore()
  @ApiOperation({
    summary: 'Get OAuth Client Statistics',
    description:
      'Returns token usage statistics for a specified client: active access and refresh tokens, the ' +
      'last time it obtained a token, and tokens issued in the last 24 hours and 30 days.',
  })
  @ApiParam(CLIENT_ID)
  @ApiResponse({ status: 200, description: 'Statistics data', type: ClientStatsDetailResponse })
  @ApiResponse(BAD_REQUEST)
  @ApiResponse(NOT_FOUND_TENANT)
  async stats(@Param('client_id') clientId: string): Promise<Envelope<ClientStatsResponse>> {
    await this.requireClient(clientId);
    const s = await this.usage.stats(clientId);
    return envelope(
      200,
      {
        client_id: clientId,
        active_tokens: s.activeAccessTokens,
        active_refresh_tokens: s.activeRefreshTokens,
        last_request_at: s.lastRequestAt === null ? null : epochToRfc3339(s.lastRequestAt),
        tokens_issued_24h: s.issuedLast24h,
        tokens_issued_30d: s.issuedLast30d,
      },
      'success',
    );
  }

  @Get('tokens')
  @NoStore()
  @ApiOperation({
    summary: 'List Active Tokens for OAuth Client',
    description:
      'Returns a list of active access tokens and refresh tokens for a specified client, newest first: ' +
      'ids, type, subject, scope, issue and expiry times, never a token value.',
  })
  @ApiParam(CLIENT_ID)
  @ApiQuery({ name: 'page', required: false, type: 'integer', description: 'Page number' })
  @ApiQuery({
    name: 'page_size',
    required: false,
    type: 'integer',
    description: 'Number of items per page (default 20, at most 100)',
  })
  @ApiResponse({ status: 200, description: 'Token list', type: OAuthTokenListResponse })
  @ApiResponse(BAD_REQUEST)
  @ApiResponse(NOT_FOUND_TENANT)
  async tokens(
    @Param('client_id') clientId: string,
    @Query(queryPipe) q: TokenPageQuery,
  ): Promise<OAuthTokenListResponse> {
    await this.requireClient(clientId);
    const page = q.page ?? 1;
    const pageSize = q.page_size ?? 20;
    const { items, total } = await this.usage.activeTokens(clientId, page, pageSize);
    return {
      code: 200,
      items: items.map((t) => ({
        token_id: t.tokenId,
        token_type: t.tokenType,
        user_id: t.userId,
        subject: t.userId ?? clientId,
        scope: t.scopes.join(' '),
        created_at: epochToRfc3339(t.issuedAt)!,
        expires_at: epochToRfc3339(t.expiresAt)!,
      })),
      message: 'success',
      pagination: pageInfo(page, pageSize, total),
      timestamp: rfc3339(),
      total,
    };
  }

  @Delete('tokens')
  @NoStore()
  @ApiOperation({
    summary: 'Revoke All Tokens for OAuth Client',
    description:
      'Revokes all active tokens for a specified client. Refresh tokens stop at once; with ' +
      '`grace_period` (seconds, at most 86400) access tokens keep working until it ends, otherwise ' +
      'they stop at once too.',
  })
  @ApiParam(CLIENT_ID)
  @ApiQuery({
    name: 'grace_period',
    required: false,
    type: 'integer',
    description: 'Grace period (seconds)',
  })
  @ApiResponse({
    status: 200,
    description:
      'Revocation result (includes revoked_access_tokens, revoked_refresh_tokens counts)',
    type: RevokeClientTokensDetailResponse,
  })
  @ApiResponse(BAD_REQUEST)
  @ApiResponse(NOT_FOUND_TENANT)
  async revokeAll(
    @Req() req: Request,
    @Param('client_id') clientId: string,
    @Query(queryPipe) q: RevokeTokensQuery,
    @AdminActor() actor: AuditActor,
  ): Promise<Envelope<RevokeClientTokensResponse>> {
    await this.requireClient(clientId);
    const grace = q.grace_period ?? 0;
    const result = await this.audit.transaction(async (m) => {
      const r = await this.usage.revokeAll(clientId, grace, m);
      await this.audit.record(m, {
        clientId,
        actor,
        operation: 'client.tokens_revoked',
        ip: req.ip ?? null,
        changes: {
          revoked_access_tokens: { to: r.revokedAccessTokens },
          revoked_refresh_tokens: { to: r.revokedRefreshTokens },
          grace_period: { to: r.gracePeriodSeconds },
        },
      });
      return r;
    });
    return envelope(
      200,
      {
        grace_period: result.gracePeriodSeconds,
        revoked_access_tokens: result.revokedAccessTokens,
        revoked_refresh_tokens: result.revokedRefreshTokens,
      },
      'Tokens revoked',
    );
  }

  private async requireClient(clientId: string): Promise<void> {
    if (!(await this.clients.exists(clientId))) throw notFound(ADMIN_MESSAGES[404]);
  }

  /** Runs a secret operation, answering its refusals with the reference's statuses. */
  private async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (!(e instanceof ClientSecretError)) throw e;
      switch (e.reason) {
        case 'client_not_found':
          throw notFound(ADMIN_MESSAGES[404]);
        case 'secret_not_found':
          throw notFound('Client or secret not found');
        case 'too_many_active':
          throw new OAuthError(
            'conflict',
            409,
            `Conflict: maximum number of secrets reached (max ${MAX_ACTIVE_SECRETS})`,
          );
        case 'last_active_secret':
          throw OAuthError.invalidRequest('cannot delete the last secret');
        case 'not_confidential':
          throw OAuthError.invalidRequest(e.message);
      }
    }
  }
}

function notFound(message: string): OAuthError {
  return new OAuthError('not_found', 404, message);
}

/** Epoch seconds as RFC 3339; 0 (never) as null. */
function epochToRfc3339(seconds: number): string | null {
  return seconds === 0 ? null : rfc3339(new Date(seconds * 1000));
}

/** A secret's metadata as the reference shows it, with a human description of its state. */
function toSecretItem(s: ClientSecretInfo, now: number): OAuthClientSecretResponse {
  const authenticates = s.expiresAt === 0 || s.expiresAt > now;
  let description: string;
  if (s.status === 'active') description = authenticates ? 'Current secret' : 'Expired';
  else description = authenticates ? 'Rotated: authenticates until expires_at' : 'Inactive';
  return {
    secret_id: s.secretId,
    status: s.status,
    description,
    created_at: rfc3339(s.createdAt),
    updated_at: rfc3339(s.updatedAt),
    last_used_at: s.lastUsedAt === null ? null : epochToRfc3339(s.lastUsedAt),
    expires_at: epochToRfc3339(s.expiresAt),
    active: authenticates,
  };
}
