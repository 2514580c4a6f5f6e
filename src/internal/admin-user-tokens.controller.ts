import { NoStore } from '../common/http/no-store.js';
import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AdminActor, AdminAuth, ADMIN_MESSAGES, SimpleResponse } from '../admin/index.js';
import type { AuditActor } from '../audit/index.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { envelope, type Envelope } from '../common/http/envelope.js';
import {
  BatchRevokeDetailResponse,
  type BatchRevokeUserTokensResponse,
} from './dto/batch-revoke-user-tokens-response.dto.js';
import { UserDataService } from './user-data.service.js';

/**
 * `DELETE /api/v1/admin/oauth/tokens/user/{user_id}` (reference O42): an administrator revokes every
 * access and refresh token of one user, at every client, at once on every instance (a leaving employee,
 * a compromised account). Idempotent: a second call answers zero counts.
 */
@ApiTags('OAuth Client Management')
@AdminAuth()
@Controller('admin/oauth/tokens')
export class AdminUserTokensController {
  constructor(private readonly userData: UserDataService) {}

  @Delete('user/:user_id')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary: 'Batch Revoke User Tokens',
    description:
      'Batch revokes all access tokens and refresh tokens for a specified user (and marks their ' +
      'unredeemed authorization codes used). JWT authentication required, admin only. The counts are of ' +
      'tokens that were live; a repeated call answers zero. Each affected client gets an audit entry.',
  })
  @ApiParam({ name: 'user_id', type: String, description: 'User ID', required: true })
  @ApiOkResponse({
    description:
      'Revocation result (includes revoked_access_tokens, revoked_refresh_tokens counts)',
    type: BatchRevokeDetailResponse,
  })
  @ApiResponse({ status: 400, description: ADMIN_MESSAGES[400], type: SimpleResponse })
  async revokeUserTokens(
    @Param('user_id') userId: string,
    @AdminActor() actor: AuditActor,
  ): Promise<Envelope<BatchRevokeUserTokensResponse>> {
    if (!userId.trim() || userId.length > 191) {
      throw OAuthError.invalidRequest('user_id must be a user id of at most 191 characters');
    }
    const c = await this.userData.revokeTokens(userId, actor);
    return envelope(
      200,
      { revoked_access_tokens: c.accessTokens, revoked_refresh_tokens: c.refreshTokens },
      'success',
    );
  }
}
