import { ApiPropertyOptional } from '@nestjs/swagger';

/**
 * Client authentication parameters of the token family (RFC 6749 §2.3.1, RFC 7523 §2.2). Use exactly one
 * method: the one the client registered as `token_endpoint_auth_method`.
 */
export abstract class ClientAuthenticationFields {
  @ApiPropertyOptional({
    example: '01JNXXXXXXXXXXXXXXXXXXXXXX',
    description:
      'Client ID (required for client_secret_post and none; optional with Basic or a client assertion)',
  })
  client_id?: string;

  @ApiPropertyOptional({
    example: 'sec_abc123...',
    description: 'Client secret (client_secret_post only; prefer HTTP Basic, client_secret_basic)',
  })
  client_secret?: string;

  @ApiPropertyOptional({
    example: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    enum: ['urn:ietf:params:oauth:client-assertion-type:jwt-bearer'],
    description: 'Client assertion type (private_key_jwt, RFC 7523 §2.2)',
  })
  client_assertion_type?: string;

  @ApiPropertyOptional({
    example: 'eyJhbGciOiJFUzI1NiIsImtpZCI6Ii4uLiJ9...',
    description:
      'Client assertion JWT (private_key_jwt): iss = sub = client_id, aud = the issuer or this endpoint, ' +
      'exp within 5 minutes, unique jti, signed with a key from the registered jwks / jwks_uri',
  })
  client_assertion?: string;
}
