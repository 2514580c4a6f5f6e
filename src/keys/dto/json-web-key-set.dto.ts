import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** A public signing key (RFC 7517 §4, RFC 7518 §6). Private members are never published. */
export class JsonWebKey {
  @ApiProperty({ description: 'Key type (RFC 7517 §4.1)', enum: ['EC', 'RSA'], example: 'EC' })
  kty!: string;

  @ApiProperty({
    description: 'Key ID: the RFC 7638 thumbprint (RFC 7517 §4.5)',
    example: 'T1St-dLTvyWRgxB_676u8krXS-I',
  })
  kid!: string;

  @ApiProperty({
    description: 'JWS algorithm the key is used with (RFC 7517 §4.4)',
    enum: ['ES256', 'RS256'],
  })
  alg!: string;

  @ApiProperty({ description: 'Public key use (RFC 7517 §4.2)', enum: ['sig'] })
  use!: string;

  @ApiPropertyOptional({ description: 'EC curve (RFC 7518 §6.2.1.1)', example: 'P-256' })
  crv?: string;

  @ApiPropertyOptional({ description: 'EC x coordinate, base64url (RFC 7518 §6.2.1.2)' })
  x?: string;

  @ApiPropertyOptional({ description: 'EC y coordinate, base64url (RFC 7518 §6.2.1.3)' })
  y?: string;

  @ApiPropertyOptional({ description: 'RSA modulus, base64url (RFC 7518 §6.3.1.1)' })
  n?: string;

  @ApiPropertyOptional({
    description: 'RSA public exponent, base64url (RFC 7518 §6.3.1.2)',
    example: 'AQAB',
  })
  e?: string;
}

/** The server's JWK Set (RFC 7517 §5): the current signing key and retired keys still in use. */
export class JsonWebKeySet {
  @ApiProperty({
    type: [JsonWebKey],
    description: 'Current key first, then retired keys until they expire',
  })
  keys!: JsonWebKey[];
}
