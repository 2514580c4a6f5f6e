import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** Body of `POST /internal/oauth/revoke-user-tokens` (reference O52: "Request body (includes user_id)"). */
@ApiSchema({ description: 'Erasure cascade request (JSON only)' })
export class InternalRevokeUserTokensRequest {
  @ApiProperty({
    description: 'The user (OIDC sub) whose tokens, consents and login sessions end',
    example: 'usr_01JNZ8W6B9Q2S5V8X1A4C7E0F3',
  })
  user_id!: string;
}
