import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString } from 'class-validator';
import { METADATA_LIMITS } from '../client-metadata.validator.js';
import { ClientMetadataFields } from './client-metadata-fields.dto.js';

/**
 * `ClientRegistrationRequest` (reference O17): the client metadata of RFC 7591 §2 / §3.1.
 * `redirect_uris` is required, with at least one item, as the contract says; the single exception is a
 * client whose only grant is `client_credentials`, which never redirects (RFC 6749 §4.4).
 */
@ApiSchema({ description: 'OAuth 2.0 Dynamic Client Registration request (RFC 7591 §2)' })
export class ClientRegistrationRequest extends ClientMetadataFields {
  @IsOptional()
  // Decorators register bottom-up and the pipe stops at the first error: the array check goes last,
  // so a string is "must be an array", not a size error.
  @IsString({ each: true, message: '$property must be an array of strings' })
  @ArrayMaxSize(METADATA_LIMITS.redirectUris, {
    message: `$property must have at most ${METADATA_LIMITS.redirectUris} items`,
  })
  @IsArray({ message: '$property must be an array of strings' })
  @ApiProperty({
    type: [String],
    required: true,
    minItems: 1,
    maxItems: METADATA_LIMITS.redirectUris,
    description:
      'Redirect URIs: absolute, no fragment; https for web clients (http only on loopback), loopback ' +
      'http or a private-use scheme for native clients (RFC 8252). Optional only for clients whose ' +
      'sole grant type is client_credentials.',
    example: ['https://app.example.com/callback'],
  })
  redirect_uris?: string[];
}
