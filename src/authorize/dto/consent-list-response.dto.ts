import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { ConsentResponse } from './consent-response.dto.js';

/** `ConsentListResponse` (reference O13): the envelope around the user's consents. */
@ApiSchema({ description: "The signed-in user's consents in the oauth-service envelope" })
export class ConsentListResponse {
  @ApiProperty({ type: 'integer', example: 200, description: 'Echoes the HTTP status' })
  code!: number;

  @ApiProperty({ type: () => [ConsentResponse], description: 'Most recently granted first' })
  data!: ConsentResponse[];

  @ApiProperty({ example: 'success', description: 'Human-readable result' })
  message!: string;

  @ApiProperty({
    example: '2026-04-15T10:30:00Z',
    description: 'RFC 3339 UTC time of the response',
  })
  timestamp!: string;
}
