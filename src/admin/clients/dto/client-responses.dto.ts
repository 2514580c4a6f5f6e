import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Enveloped } from '../../../common/http/envelope.js';
import { PageInfo } from '../../dto/simple-response.dto.js';

/**
 * `dto.OAuthClientItem` (reference O27, O29, O30): a client as administrators see it. Never a secret:
 * `secret_last_four` tells secrets apart. `client_auth_methods` is a list (the reference's example is
 * one; its type "string" is a generator artefact, reference §6).
 */
@ApiSchema({ name: 'OAuthClientItem' })
export class OAuthClientItem {
  @ApiProperty({ example: '01JNXXXXXXXXXXXXXXXXXXXXXX', description: 'Internal id (= client_id)' })
  id!: string;
  @ApiProperty({ example: '01JNXXXXXXXXXXXXXXXXXXXXXX' })
  client_id!: string;
  @ApiProperty({ example: 'My App' })
  name!: string | null;
  @ApiProperty({ type: [String], example: ['https://app.example.com/callback'] })
  redirect_uris!: string[];
  @ApiProperty({ type: [String], example: ['openid', 'profile'] })
  scopes!: string[];
  @ApiProperty({ type: [String], example: ['authorization_code'] })
  grant_types!: string[];
  @ApiProperty({ type: [String], example: ['client_secret_basic'] })
  client_auth_methods!: string[];
  @ApiProperty({ example: true })
  is_confidential!: boolean;
  @ApiProperty({
    type: [String],
    example: ['https://app.example.com'],
    description: 'Origins of the redirect URIs',
  })
  cors_origins!: string[];
  @ApiPropertyOptional({ example: 'https://client.example.com/.well-known/jwks.json' })
  jwks_uri!: string | null;
  @ApiPropertyOptional({ example: 'https://app.example.com/logo.png' })
  logo_url!: string | null;
  @ApiPropertyOptional({ example: 'https://app.example.com/privacy' })
  privacy_policy!: string | null;
  @ApiPropertyOptional({ example: 'https://app.example.com/terms' })
  terms_url!: string | null;
  @ApiPropertyOptional({ example: 'https://app.example.com' })
  website!: string | null;
  @ApiPropertyOptional({ example: 'fapi1' })
  fapi_profile!: string | null;
  @ApiPropertyOptional({
    example: 'bcde',
    description: 'Last four characters of the current secret',
  })
  secret_last_four!: string | null;
  @ApiProperty({ enum: ['active', 'suspended'], example: 'active' })
  status!: string;
  @ApiProperty({ example: 'default', description: 'This server has one tenant' })
  tenant_id!: string;
  @ApiProperty({ example: '2026-04-15T10:30:00Z' })
  created_at!: string;
  @ApiProperty({ example: '2026-04-15T10:30:00Z' })
  updated_at!: string;
  @ApiPropertyOptional({ type: String, nullable: true, example: null })
  deleted_at!: string | null;
}

/** `dto.OAuthClientItemDetailResponse`: the envelope around one {@link OAuthClientItem}. */
@ApiSchema({ name: 'OAuthClientItemDetailResponse' })
export class OAuthClientItemDetailResponse extends Enveloped(OAuthClientItem) {}

/** `dto.OAuthClientListResponse` (reference O27). */
@ApiSchema({ name: 'OAuthClientListResponse' })
export class OAuthClientListResponse {
  @ApiProperty({ type: 'integer', example: 200 })
  code!: number;
  @ApiProperty({ type: [OAuthClientItem], description: 'Use items uniformly' })
  items!: OAuthClientItem[];
  @ApiProperty({ example: 'success' })
  message!: string;
  @ApiProperty({ type: PageInfo, description: 'Pagination info (nested object)' })
  pagination!: PageInfo;
  @ApiProperty({ example: '2026-04-15T10:30:00Z' })
  timestamp!: string;
  @ApiProperty({ type: 'integer', description: 'Total count (flattened for direct reading)' })
  total!: number;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      'Keyset cursor: pass it as `after` to read the next page at any depth (null on the last page)',
  })
  next_cursor!: string | null;
}

/** `dto.CreateClientResponse` (reference O28): the new client with its secret, shown once. */
@ApiSchema({ name: 'CreateClientResponse' })
export class CreateClientResponse {
  @ApiProperty({ example: '01JNXXXXXXXXXXXXXXXXXXXXXX' })
  id!: string;
  @ApiProperty({ example: '01JNXXXXXXXXXXXXXXXXXXXXXX' })
  client_id!: string;
  @ApiPropertyOptional({
    example: 'sec_abc123...',
    description: 'Returned only once; absent for a public client',
  })
  client_secret?: string;
  @ApiProperty({ example: 'My Application' })
  name!: string | null;
  @ApiProperty({ type: [String], example: ['https://app.example.com/callback'] })
  redirect_uris!: string[];
  @ApiProperty({ type: [String], example: ['openid', 'profile', 'email'] })
  scopes!: string[];
  @ApiProperty({ type: [String], example: ['authorization_code', 'refresh_token'] })
  grant_types!: string[];
  @ApiProperty({ type: [String], example: ['client_secret_basic'] })
  client_auth_methods!: string[];
  @ApiProperty({ example: true })
  is_confidential!: boolean;
  @ApiProperty({ type: [String], example: ['https://app.example.com'] })
  cors_origins!: string[];
  @ApiPropertyOptional({ description: 'The JWK Set as a JSON string' })
  jwks!: string | null;
  @ApiPropertyOptional({ example: 'https://client.example.com/.well-known/jwks.json' })
  jwks_uri!: string | null;
  @ApiPropertyOptional({ example: 'https://app.example.com/logo.png' })
  logo_url!: string | null;
  @ApiPropertyOptional({ example: 'https://app.example.com/privacy' })
  privacy_policy!: string | null;
  @ApiPropertyOptional({ example: 'https://app.example.com/terms' })
  terms_url!: string | null;
  @ApiPropertyOptional({ example: 'https://app.example.com' })
  website!: string | null;
  @ApiPropertyOptional({ example: 'fapi1' })
  fapi_profile!: string | null;
  @ApiProperty({ example: 'active' })
  status!: string;
}

/** `dto.CreateClientDetailResponse` (reference O28). */
@ApiSchema({ name: 'CreateClientDetailResponse' })
export class CreateClientDetailResponse extends Enveloped(CreateClientResponse) {}

/** `dto.CloneClientResponse` (reference O33): the clone with its own secret, shown once. */
@ApiSchema({ name: 'CloneClientResponse' })
export class CloneClientResponse {
  @ApiProperty({ example: '01JNXXXXXXXXXXXXXXXXXXXXXX' })
  id!: string;
  @ApiProperty({ example: '01JNXXXXXXXXXXXXXXXXXXXXXX' })
  client_id!: string;
  @ApiPropertyOptional({ example: 'sec_xyz789...', description: 'Returned only once' })
  client_secret?: string;
  @ApiProperty({ example: 'My Application (clone)' })
  name!: string | null;
  @ApiProperty({ type: [String], example: ['https://app.example.com/callback'] })
  redirect_uris!: string[];
  @ApiProperty({ type: [String], example: ['openid', 'profile', 'email'] })
  scopes!: string[];
  @ApiProperty({ type: [String], example: ['authorization_code', 'refresh_token'] })
  grant_types!: string[];
  @ApiProperty({ type: [String], example: ['client_secret_basic'] })
  client_auth_methods!: string[];
  @ApiProperty({ type: [String], example: ['https://app.example.com'] })
  cors_origins!: string[];
  @ApiPropertyOptional({ example: 'https://client.example.com/.well-known/jwks.json' })
  jwks_uri!: string | null;
  @ApiPropertyOptional({ example: 'fapi1' })
  fapi_profile!: string | null;
  @ApiProperty({ example: 'active' })
  status!: string;
}

/** `dto.CloneClientDetailResponse` (reference O33). */
@ApiSchema({ name: 'CloneClientDetailResponse' })
export class CloneClientDetailResponse extends Enveloped(CloneClientResponse) {}

/** `dto.OAuthAuditLogItem` (reference O32): one change, with its field-level diff. */
@ApiSchema({ name: 'OAuthAuditLogItem' })
export class OAuthAuditLogItem {
  @ApiProperty({ example: '01JNXXXXXXXXXXXXXXXXXXXXXX' })
  id!: string;
  @ApiProperty({ example: 'client.updated', description: 'The operation (also the event name)' })
  action!: string;
  @ApiProperty({
    example: 'redirect_uris: [https://a.example/cb] → [https://a.example/cb, https://b.example/cb]',
  })
  message!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Field-level diff {field: {from, to}}; never a secret value',
  })
  changes!: Record<string, unknown>;
  @ApiProperty({
    enum: ['admin_user', 'client', 'api_key', 'registration_access_token', 'cli', 'system'],
  })
  operator_type!: string;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'usr_01JN...' })
  operator_id!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: '203.0.113.7' })
  ip!: string | null;
  @ApiProperty({ example: 'info' })
  level!: string;
  @ApiProperty({ example: 'oauth_client' })
  module!: string;
  @ApiProperty({ type: 'integer', example: 1, description: '1: the change succeeded' })
  status!: number;
  @ApiProperty({ example: '01JNXXXXXXXXXXXXXXXXXXXXXX' })
  target_id!: string;
  @ApiProperty({ example: 'oauth_client' })
  target_type!: string;
  @ApiProperty({ example: 'default' })
  tenant_id!: string;
  @ApiProperty({ type: 'integer', example: 1776249000, description: 'Unix epoch seconds' })
  timestamp!: number;
}

/** `dto.OAuthAuditLogListResponse` (reference O32). */
@ApiSchema({ name: 'OAuthAuditLogListResponse' })
export class OAuthAuditLogListResponse {
  @ApiProperty({ type: 'integer', example: 200 })
  code!: number;
  @ApiProperty({ type: [OAuthAuditLogItem], description: 'Use items uniformly' })
  items!: OAuthAuditLogItem[];
  @ApiProperty({ example: 'success' })
  message!: string;
  @ApiProperty({ type: PageInfo, description: 'Pagination info (nested object)' })
  pagination!: PageInfo;
  @ApiProperty({ example: '2026-04-15T10:30:00Z' })
  timestamp!: string;
  @ApiProperty({ type: 'integer', description: 'Total count (flattened for direct reading)' })
  total!: number;
}
