import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Enveloped } from '../../common/http/envelope.js';
import { MAX_REVOCATION_GRACE_SECONDS } from '../../token/index.js';
import { PageInfo } from '../dto/simple-response.dto.js';

/** `dto.RotateSecretResponse` (reference O34): the new secret, shown this once. */
@ApiSchema({ name: 'RotateSecretResponse' })
export class RotateSecretResponse {
  @ApiProperty({ example: '01JNXXXXXXXXXXXXXXXXXXXXXX' })
  client_id!: string;
  @ApiProperty({
    example: 'sec_…',
    description: 'The new client secret; shown once, stored hashed',
  })
  new_secret!: string;
  @ApiProperty({ example: '2026-04-15T10:30:00Z' })
  rotated_at!: string;
  @ApiProperty({ example: '01JNXXXXXXXXXXXXXXXXXXXXXX', description: 'Id of the new secret' })
  secret_id!: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '2026-04-15T14:30:00Z',
    description:
      'When the previous secret stops authenticating (end of the grace period, CLIENT_SECRET_ROTATION_GRACE); null when there was none',
  })
  previous_secret_expires_at!: string | null;
}

/** `dto.RotateSecretDetailResponse`: the envelope around {@link RotateSecretResponse}. */
@ApiSchema({ name: 'RotateSecretDetailResponse' })
export class RotateSecretDetailResponse extends Enveloped(RotateSecretResponse) {}

/** `dto.OAuthClientSecretResponse` (reference O35, O38): a secret's metadata, never its value. */
@ApiSchema({ name: 'OAuthClientSecretResponse' })
export class OAuthClientSecretResponse {
  @ApiProperty({ example: '01JNXXXXXXXXXXXXXXXXXXXXXX' })
  secret_id!: string;
  @ApiProperty({
    enum: ['active', 'inactive'],
    example: 'active',
    description:
      'active: a current secret; inactive: rotated (authenticates until expires_at) or deactivated',
  })
  status!: string;
  @ApiProperty({ example: 'Current secret' })
  description!: string;
  @ApiProperty({ example: '2026-04-15T10:30:00Z' })
  created_at!: string;
  @ApiProperty({ example: '2026-04-15T10:30:00Z' })
  updated_at!: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '2026-04-15T12:00:00Z',
    description: 'Last successful client authentication with it (to the minute); null if never',
  })
  last_used_at!: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '2026-05-15T10:30:00Z',
    description: 'When it stops (stopped) authenticating; null: never expires',
  })
  expires_at!: string | null;
  @ApiProperty({ example: true, description: 'Whether it authenticates now' })
  active!: boolean;
}

/** `dto.OAuthClientSecretDetailResponse`: the envelope around one {@link OAuthClientSecretResponse}. */
@ApiSchema({ name: 'OAuthClientSecretDetailResponse' })
export class OAuthClientSecretDetailResponse extends Enveloped(OAuthClientSecretResponse) {}

/** `dto.OAuthClientSecretListData`: the secrets of a client. */
@ApiSchema({ name: 'OAuthClientSecretListData' })
export class OAuthClientSecretListData {
  @ApiProperty({ type: [OAuthClientSecretResponse] })
  secrets!: OAuthClientSecretResponse[];
}

/** `dto.OAuthClientSecretListDetailResponse`: the envelope around {@link OAuthClientSecretListData}. */
@ApiSchema({ name: 'OAuthClientSecretListDetailResponse' })
export class OAuthClientSecretListDetailResponse extends Enveloped(OAuthClientSecretListData) {}

/** `dto.CreateClientSecretResponse` (reference O36): the new secret, shown this once. */
@ApiSchema({ name: 'CreateClientSecretResponse' })
export class CreateClientSecretResponse {
  @ApiProperty({ example: '01JNXXXXXXXXXXXXXXXXXXXXXX' })
  secret_id!: string;
  @ApiProperty({ example: 'sec_…', description: 'The secret; shown once, stored hashed' })
  secret_value!: string;
  @ApiProperty({ example: 'active' })
  status!: string;
  @ApiProperty({ example: '2026-04-15T10:30:00Z' })
  created_at!: string;
  @ApiPropertyOptional({ type: String, nullable: true, example: null })
  expires_at!: string | null;
}

/** `dto.CreateClientSecretDetailResponse`: the envelope around {@link CreateClientSecretResponse}. */
@ApiSchema({ name: 'CreateClientSecretDetailResponse' })
export class CreateClientSecretDetailResponse extends Enveloped(CreateClientSecretResponse) {}

/** `dto.ClientStatsResponse` (reference O39), with issuance counts. */
@ApiSchema({ name: 'ClientStatsResponse' })
export class ClientStatsResponse {
  @ApiProperty({ example: '01JNXXXXXXXXXXXXXXXXXXXXXX' })
  client_id!: string;
  @ApiProperty({
    type: 'integer',
    example: 10,
    description: 'Access tokens neither expired nor revoked',
  })
  active_tokens!: number;
  @ApiProperty({
    type: 'integer',
    example: 5,
    description: 'Refresh tokens neither expired, revoked nor rotated',
  })
  active_refresh_tokens!: number;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '2026-04-15T10:30:00Z',
    description: 'Last time the client obtained an access token (within 30 days); null if not',
  })
  last_request_at!: string | null;
  @ApiProperty({
    type: 'integer',
    example: 42,
    description: 'Access tokens issued in the last 24 hours (counted by the hour)',
  })
  tokens_issued_24h!: number;
  @ApiProperty({
    type: 'integer',
    example: 900,
    description: 'Access tokens issued in the last 30 days (counted by the hour)',
  })
  tokens_issued_30d!: number;
}

/** `dto.ClientStatsDetailResponse`: the envelope around {@link ClientStatsResponse}. */
@ApiSchema({ name: 'ClientStatsDetailResponse' })
export class ClientStatsDetailResponse extends Enveloped(ClientStatsResponse) {}

/** `dto.OAuthTokenItem` (reference O40): one active token, never its value or hash. */
@ApiSchema({ name: 'OAuthTokenItem' })
export class OAuthTokenItem {
  @ApiProperty({
    example: '01JNXXXXXXXXXXXXXXXXXXXXXX',
    description: 'jti of an access token, id of a refresh token',
  })
  token_id!: string;
  @ApiProperty({ enum: ['access_token', 'refresh_token'], example: 'access_token' })
  token_type!: string;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'usr_01JNXXXXXXXXXXXXXXXXXXXXXX',
    description: 'The resource owner; null for client_credentials (the subject is the client)',
  })
  user_id!: string | null;
  @ApiProperty({ example: 'usr_01JNXXXXXXXXXXXXXXXXXXXXXX', description: 'The token subject' })
  subject!: string;
  @ApiProperty({ example: 'openid profile email' })
  scope!: string;
  @ApiProperty({ example: '2026-04-15T10:30:00Z' })
  created_at!: string;
  @ApiProperty({ example: '2026-04-15T10:45:00Z' })
  expires_at!: string;
}

/** `dto.OAuthTokenListResponse` (reference O40): the paginated list envelope. */
@ApiSchema({ name: 'OAuthTokenListResponse' })
export class OAuthTokenListResponse {
  @ApiProperty({ type: 'integer', example: 200 })
  code!: number;
  @ApiProperty({ type: [OAuthTokenItem], description: 'Use items uniformly' })
  items!: OAuthTokenItem[];
  @ApiProperty({ example: 'success' })
  message!: string;
  @ApiProperty({ type: PageInfo, description: 'Pagination info (nested object)' })
  pagination!: PageInfo;
  @ApiProperty({ example: '2026-04-15T10:30:00Z' })
  timestamp!: string;
  @ApiProperty({ type: 'integer', description: 'Total count (flattened for direct reading)' })
  total!: number;
}

/** `dto.RevokeClientTokensResponse` (reference O41). */
@ApiSchema({ name: 'RevokeClientTokensResponse' })
export class RevokeClientTokensResponse {
  @ApiProperty({ type: 'integer', example: 3600, description: 'Grace period applied, seconds' })
  grace_period!: number;
  @ApiProperty({ type: 'integer', example: 10 })
  revoked_access_tokens!: number;
  @ApiProperty({ type: 'integer', example: 5 })
  revoked_refresh_tokens!: number;
}

/** `dto.RevokeClientTokensDetailResponse`: the envelope around {@link RevokeClientTokensResponse}. */
@ApiSchema({ name: 'RevokeClientTokensDetailResponse' })
export class RevokeClientTokensDetailResponse extends Enveloped(RevokeClientTokensResponse) {}

/** Query of O40: `page` (default 1) and `page_size` (default 20, at most 100). */
export class TokenPageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '$property must be an integer' })
  @Min(1, { message: '$property must be at least 1' })
  @Max(1_000_000, { message: '$property must not exceed 1000000' })
  page?: number;

  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '$property must be an integer' })
  @Min(1, { message: '$property must be at least 1' })
  @Max(100, { message: '$property must not exceed 100' })
  page_size?: number;
}

/** Query of O41: optional `grace_period`, seconds. */
export class RevokeTokensQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: '$property must be an integer' })
  @Min(0, { message: '$property must not be negative' })
  @Max(MAX_REVOCATION_GRACE_SECONDS, {
    message: `$property must not exceed ${MAX_REVOCATION_GRACE_SECONDS} seconds`,
  })
  grace_period?: number;
}
