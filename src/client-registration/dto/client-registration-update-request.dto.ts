import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { METADATA_LIMITS } from '../client-metadata.validator.js';
import { ClientMetadataFields } from './client-metadata-fields.dto.js';

/**
 * `ClientRegistrationUpdateRequest` (reference O19, RFC 7592 §2.2): the complete new metadata. Omitted
 * fields are cleared or reset to their defaults. `client_id` and `client_secret` may be included (RFC
 * 7592 §2.2) and must then equal the current values; server-managed fields
 * (`registration_access_token`, `registration_client_uri`, `client_id_issued_at`,
 * `client_secret_expires_at`) are ignored.
 */
@ApiSchema({ description: 'OAuth 2.0 Dynamic Client Registration update request (RFC 7592 §2.2)' })
export class ClientRegistrationUpdateRequest extends ClientMetadataFields {
  @IsOptional()
  // Decorators register bottom-up and the pipe stops at the first error: the array check goes last,
  // so a string is "must be an array", not a size error.
  @IsString({ each: true, message: '$property must be an array of strings' })
  @ArrayMaxSize(METADATA_LIMITS.redirectUris, {
    message: `$property must have at most ${METADATA_LIMITS.redirectUris} items`,
  })
  @IsArray({ message: '$property must be an array of strings' })
  @ApiPropertyOptional({
    type: [String],
    maxItems: METADATA_LIMITS.redirectUris,
    description: 'Redirect URIs (the complete new list; see ClientRegistrationRequest)',
    example: ['https://app.example.com/callback'],
  })
  redirect_uris?: string[];

  @IsOptional()
  // Decorators register bottom-up and the pipe stops at the first error: the type check goes last.
  @MaxLength(64, { message: '$property must be at most 64 characters' })
  @IsString({ message: '$property must be a string' })
  @ApiPropertyOptional({
    description: 'Client ID; optional, but if present it must equal the client_id in the path',
    example: '01JNXXXXXXXXXXXXXXXXXXXXXX',
  })
  client_id?: string;

  @IsOptional()
  // Decorators register bottom-up and the pipe stops at the first error: the type check goes last.
  @MaxLength(256, { message: '$property must be at most 256 characters' })
  @IsString({ message: '$property must be a string' })
  @ApiPropertyOptional({
    description:
      'Current client secret; optional, but if present it must equal the secret issued (RFC 7592 §2.2)',
    example: 'sec_abc123...',
  })
  client_secret?: string;
}
