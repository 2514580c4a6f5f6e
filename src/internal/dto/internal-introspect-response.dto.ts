import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/**
 * `InternalIntrospectResponse` (reference O51). An inactive token is exactly `{active: false}`, as in
 * RFC 7662 §2.2; an active one carries its client, user, scope and expiry.
 */
@ApiSchema({ description: 'Internal introspection result' })
export class InternalIntrospectResponse {
  @ApiProperty({ description: 'Whether the token is active (RFC 7662 §2.2)', example: true })
  active!: boolean;

  @ApiPropertyOptional({
    description: 'The client the token was issued to',
    example: '01JNZ8W6B9Q2S5V8X1A4C7E0F3',
  })
  client_id?: string;

  @ApiPropertyOptional({
    description: 'The user (OIDC sub); absent for client_credentials tokens',
    example: 'usr_01JNZ8W6B9Q2S5V8X1A4C7E0F3',
  })
  user_id?: string;

  @ApiPropertyOptional({
    description: 'Granted scopes, space separated',
    example: 'openid profile',
  })
  scope?: string;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'Expiry, epoch seconds',
    example: 1776249000,
  })
  exp?: number;
}

/** `handler.swaggerInternalIntrospectDetailResponse` (reference O51): the envelope around it. */
@ApiSchema({
  name: 'swaggerInternalIntrospectDetailResponse',
  description: 'Internal introspection result in the oauth-service envelope',
})
export class InternalIntrospectDetailResponse {
  @ApiProperty({ type: 'integer', example: 200, description: 'Echoes the HTTP status' })
  code!: number;
  @ApiProperty({ type: () => InternalIntrospectResponse })
  data!: InternalIntrospectResponse;
  @ApiProperty({ example: 'success', description: 'Human-readable result' })
  message!: string;
  @ApiProperty({
    example: '2026-04-15T10:30:00Z',
    description: 'RFC 3339 UTC time of the response',
  })
  timestamp!: string;
}
