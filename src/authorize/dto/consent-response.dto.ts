import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** `ConsentResponse` (reference O13): one remembered consent of the signed-in user. */
@ApiSchema({ description: 'A consent the signed-in user gave one client (OIDC Core §3.1.2.4)' })
export class ConsentResponse {
  @ApiProperty({
    description: 'Consent record id (the {id} of DELETE /oauth/consents/{id})',
    example: '01ARZ3NDEKTSV4RRFFQ69G5FAV',
  })
  id!: string;

  @ApiProperty({
    description: 'The client the consent was given to',
    example: '01JNZ8W6B9Q2S5V8X1A4C7E0F3',
  })
  client_id!: string;

  @ApiProperty({ description: 'Approved scopes, space separated', example: 'openid profile email' })
  scopes!: string;

  @ApiProperty({
    description: 'When the user last approved scopes for this client (RFC 3339, UTC)',
    example: '2026-04-15T10:30:00Z',
  })
  granted_at!: string;
}
