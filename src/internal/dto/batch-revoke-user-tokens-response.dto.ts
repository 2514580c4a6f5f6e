import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/**
 * `BatchRevokeUserTokensResponse` (reference O42, O52): how many live tokens were revoked. A repeated
 * call reports zero. The erasure cascade (O52) also reports the consents and login sessions it deleted.
 */
@ApiSchema({ description: 'Result of revoking the tokens of one user' })
export class BatchRevokeUserTokensResponse {
  @ApiProperty({
    type: 'integer',
    description: 'Access tokens that were live and are now revoked',
    example: 3,
  })
  revoked_access_tokens!: number;

  @ApiProperty({
    type: 'integer',
    description: 'Refresh tokens that were live and are now revoked',
    example: 2,
  })
  revoked_refresh_tokens!: number;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Erasure cascade only (O52): remembered consents deleted',
    example: 2,
  })
  deleted_consents?: number;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Erasure cascade only (O52): login sessions deleted (the user signs in again)',
    example: 1,
  })
  deleted_login_sessions?: number;
}

/** `handler.swaggerBatchRevokeDetailResponse` (reference O42, O52): the envelope around it. */
@ApiSchema({
  name: 'swaggerBatchRevokeDetailResponse',
  description: 'Revocation result in the oauth-service envelope',
})
export class BatchRevokeDetailResponse {
  @ApiProperty({ type: 'integer', example: 200, description: 'Echoes the HTTP status' })
  code!: number;
  @ApiProperty({ type: () => BatchRevokeUserTokensResponse })
  data!: BatchRevokeUserTokensResponse;
  @ApiProperty({ example: 'success', description: 'Human-readable result' })
  message!: string;
  @ApiProperty({
    example: '2026-04-15T10:30:00Z',
    description: 'RFC 3339 UTC time of the response',
  })
  timestamp!: string;
}
