import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** Body of `POST /internal/oauth/introspect` (reference O51: "Request body (includes token)"). */
@ApiSchema({ description: 'Internal introspection request (JSON only)' })
export class InternalIntrospectRequest {
  @ApiProperty({
    description: 'The access token (JWT) or refresh token (rt_…) to inspect',
    example: 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ1c3JfMDEifQ.c2ln',
  })
  token!: string;
}
