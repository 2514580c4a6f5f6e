import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';

/**
 * Parameters of the authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1): the
 * query of `GET /oauth/authorize`, or the form-encoded / JSON body of `POST /oauth/authorize`. Each may
 * appear once. Documentation only: the endpoint validates the raw parameters itself, because the order
 * of checks decides whether an error is shown or redirected (RFC 6749 §4.1.2.1).
 */
export class AuthorizationRequestParams {
  @ApiProperty({
    description: 'Must be `code` (implicit and hybrid flows are refused, RFC 9700 §2.1.2)',
    example: 'code',
    enum: ['code'],
  })
  response_type!: string;

  @ApiProperty({
    description: 'Client identifier (RFC 6749 §2.2)',
    example: '01JD2X4K8M9N0P1Q2R3S4T5V6W',
  })
  client_id!: string;

  @ApiPropertyOptional({
    description:
      'Exactly one of the registered redirect URIs (RFC 6749 §3.1.2.3); for native clients with a loopback ' +
      'redirect only the port may differ (RFC 8252 §7.3). May be omitted when exactly one is registered.',
    format: 'uri',
    example: 'https://app.example.com/callback',
  })
  redirect_uri?: string;

  @ApiPropertyOptional({
    description:
      "Space-separated scopes, within the client's registered scope (RFC 6749 §3.3). Default: the registered " +
      'scope without offline_access.',
    example: 'openid profile email',
  })
  scope?: string;

  @ApiPropertyOptional({
    description: 'Opaque value echoed in the response (RFC 6749 §4.1.1)',
    example: 'af0ifjsldkj',
  })
  state?: string;

  @ApiPropertyOptional({
    description: 'OIDC nonce, echoed in the ID token (OIDC Core §3.1.2.1)',
    example: 'n-0S6_WzA2Mj',
  })
  nonce?: string;

  @ApiPropertyOptional({
    description:
      'PKCE challenge, BASE64URL(SHA256(code_verifier)) (RFC 7636 §4.2). Required for public clients.',
    example: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  })
  code_challenge?: string;

  @ApiPropertyOptional({
    description: 'Must be `S256`; `plain` is refused (RFC 9700 §2.1.1)',
    enum: ['S256'],
  })
  code_challenge_method?: string;

  @ApiPropertyOptional({
    description:
      'RFC 9449 §10: the JWK SHA-256 thumbprint (RFC 7638) of the DPoP key the authorization code is ' +
      'bound to; the code is then redeemed only with a DPoP proof by that key. At the PAR endpoint a DPoP ' +
      'proof in the `DPoP` header binds the code the same way.',
    example: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
    pattern: '^[A-Za-z0-9_-]{43}$',
  })
  dpop_jkt?: string;

  @ApiPropertyOptional({
    description:
      'RFC 8707 resource indicator: an absolute URI without a fragment, repeatable (at most 10). The ' +
      "code's tokens get these as `aud`; anything else is `invalid_target`",
    type: [String],
    example: ['https://mcp.example.com/mcp'],
  })
  resource?: string[];

  @ApiPropertyOptional({
    description: 'Only `query` (the default for the code flow)',
    enum: ['query'],
  })
  response_mode?: string;

  @ApiPropertyOptional({
    description: 'OIDC Core §3.1.2.1: `none`, or any of `login`, `consent`, `select_account`',
    example: 'consent',
  })
  prompt?: string;

  @ApiPropertyOptional({
    description:
      'Maximum authentication age in seconds; older sessions must sign in again (OIDC Core §3.1.2.1)',
    example: '3600',
  })
  max_age?: string;

  @ApiPropertyOptional({
    description: 'Username to pre-fill on the login form (OIDC Core §3.1.2.1)',
  })
  login_hint?: string;

  @ApiPropertyOptional({
    description: 'Not supported: answered with `request_not_supported` (OIDC Core §6)',
  })
  request?: string;

  @ApiPropertyOptional({
    description:
      'A `urn:ietf:params:oauth:request_uri:…` from the pushed authorization request endpoint (RFC 9126 ' +
      '§4), with `client_id`; the pushed parameters replace all others. Used once; unknown, used, expired ' +
      "or another client's: `invalid_request_uri`. Request objects by reference are not fetched.",
    example: 'urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c',
  })
  request_uri?: string;
}
