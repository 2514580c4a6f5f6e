import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OAuth standard error response (RFC 6749 §5.2, RFC 7591 §3.2.2); the reference's `OAuthErrorResponse`. */
export class OAuthErrorResponse {
  @ApiProperty({ example: 'invalid_request', description: 'Error code' })
  error!: string;

  @ApiPropertyOptional({ example: 'Missing required parameter', description: 'Error description' })
  error_description?: string;

  @ApiPropertyOptional({ example: 'https://docs.example.com/errors', description: 'Error URI' })
  error_uri?: string;

  @ApiPropertyOptional({
    example: 'state-123',
    description: 'State (echoed on authorization errors)',
  })
  state?: string;
}
