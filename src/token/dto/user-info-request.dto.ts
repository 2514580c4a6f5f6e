import { ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';

/** Form body of `POST /oauth/userinfo` (RFC 6750 §2.2); the Authorization header is preferred. */
@ApiSchema({ description: 'UserInfo request with the access token in the form body' })
export class UserInfoRequest {
  @ApiPropertyOptional({
    description: 'Access token (only when not sent as Authorization: Bearer)',
  })
  access_token?: string;
}
