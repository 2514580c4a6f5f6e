import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { Enveloped } from '../../common/http/envelope.js';

/**
 * `PublicClientInfo` (reference O15): what a consent page may show about a client, and nothing more —
 * no secret, no registration data, no redirect URIs, no operator-only fields.
 */
@ApiSchema({ description: 'Public information about a client, for consent pages' })
export class PublicClientInfo {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'RFC 7591 client_name as registered (unverified for self-registered clients)',
    example: 'My Application',
  })
  client_name!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uri',
    description: 'RFC 7591 logo_uri as registered',
    example: 'https://app.example.com/logo.png',
  })
  logo_uri!: string | null;

  @ApiProperty({
    type: [String],
    description: 'Scopes the client is registered for (RFC 7591 scope, split on spaces)',
    example: ['openid', 'profile', 'email'],
  })
  scopes!: string[];

  @ApiPropertyOptional({
    description:
      'Tenant of the client in the multi-tenant reference service. AuthMS serves one tenant: never present.',
    example: 'tenant-1',
  })
  tenant_id?: string;
}

/** `DataResponse-dto_PublicClientInfo` (reference O15): the envelope around {@link PublicClientInfo}. */
@ApiSchema({
  name: 'DataResponse-dto_PublicClientInfo',
  description: 'Public client information in the oauth-service envelope',
})
export class PublicClientInfoDataResponse extends Enveloped(PublicClientInfo) {}
