import {
  Controller,
  Delete,
  Get,
  Header,
  Headers,
  HttpCode,
  Param,
  UseFilters,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { OAuthError } from '../common/errors/oauth-error.js';
import { envelope, type Envelope } from '../common/http/envelope.js';
import { ApiSimpleErrors, SimpleResponse } from '../admin/index.js';
import { SimpleResponseExceptionFilter } from '../common/errors/simple-response-exception.filter.js';
import { simpleResponse, type SimpleBody } from '../common/http/simple-response.js';
import { ACCESS_TOKEN_SCHEME } from '../common/swagger/swagger.setup.js';
import { AccessTokenService } from '../token/index.js';
import { ConsentListResponse } from './dto/consent-list-response.dto.js';
import type { ConsentResponse } from './dto/consent-response.dto.js';
import {
  PublicClientInfoDataResponse,
  type PublicClientInfo,
} from './dto/public-client-info.dto.js';
import { UserConsentsService } from './user-consents.service.js';

const rfc3339 = (epochSeconds: number) =>
  new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * End-user routes of the reference (O13-O15): the signed-in user's consents, authenticated by an access
 * token of that user (RFC 6750 §2.1), and the public client information a consent page shows. Errors
 * answer in the reference's `SimpleResponse` shape with the OAuth pair and the Bearer challenge.
 */
@ApiTags('OAuth')
@UseFilters(
  new SimpleResponseExceptionFilter({ 401: 'Unauthenticated: provide a valid Bearer Token' }),
)
@Controller('oauth')
export class UserConsentsController {
  constructor(
    private readonly accessTokens: AccessTokenService,
    private readonly consents: UserConsentsService,
  ) {}

  @Get('consents')
  @Header('Cache-Control', 'no-store')
  @ApiBearerAuth(ACCESS_TOKEN_SCHEME)
  @ApiOperation({
    summary: 'Get Authorization Consent List',
    description:
      'Retrieves all authorized OAuth client consent records for the current user, including client ID, ' +
      'authorized scopes, and authorization time. Authenticated by an access token issued to the user ' +
      '(Authorization: Bearer, RFC 6750 §2.1); a client_credentials token has no user and is refused.',
  })
  @ApiOkResponse({ description: 'Authorization consent list', type: ConsentListResponse })
  @ApiSimpleErrors(
    [401, 'invalid_token: Unauthenticated: provide a valid Bearer Token (RFC 6750 §3.1)'],
    [500, 'server_error: Internal server error'],
  )
  async list(
    @Headers('authorization') authorization?: string,
  ): Promise<Envelope<ConsentResponse[]>> {
    const { userId } = await this.accessTokens.authenticateUser(authorization);
    const rows = await this.consents.list(userId);
    return envelope(
      200,
      rows.map((c) => ({
        id: c.id,
        client_id: c.clientId,
        scopes: c.scopes.join(' '),
        granted_at: rfc3339(c.updatedAt),
      })),
      'success',
    );
  }

  @Delete('consents/:id')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiBearerAuth(ACCESS_TOKEN_SCHEME)
  @ApiOperation({
    summary: 'Revoke Authorization Consent',
    description:
      'Revokes an authorization consent record for a specific OAuth client for the current user. After ' +
      "revocation, the client's access tokens and refresh tokens for this user stop working at once, on " +
      'every instance, and the next authorization request asks for consent again. Another user’s consent ' +
      'id answers 404, like an unknown one.',
  })
  @ApiParam({ name: 'id', type: String, description: 'Consent record ID', required: true })
  @ApiOkResponse({ description: 'Revocation successful', type: SimpleResponse })
  @ApiSimpleErrors(
    [401, 'invalid_token: Unauthenticated: provide a valid Bearer Token (RFC 6750 §3.1)'],
    [404, 'not_found: Consent record not found'],
    [500, 'server_error: Internal server error'],
  )
  async revoke(
    @Param('id') id: string,
    @Headers('authorization') authorization?: string,
  ): Promise<SimpleBody> {
    const { userId } = await this.accessTokens.authenticateUser(authorization);
    const done = /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)
      ? await this.consents.revoke(userId, id)
      : null;
    if (!done) throw OAuthError.notFound('Consent record not found');
    return simpleResponse(200, 'Consent revoked');
  }

  @Get('client/:client_id')
  @ApiOperation({
    summary: 'Get Client Public Information',
    description:
      'Returns non-sensitive public information (name, logo, scopes) for a client by client_id, for ' +
      'consent pages: never a secret, a redirect URI or any operator field. Unknown and deleted clients ' +
      'answer 404. The name and logo are what the client registered; self-registered clients are not ' +
      'verified.',
  })
  @ApiParam({ name: 'client_id', type: String, description: 'OAuth client ID', required: true })
  @ApiOkResponse({ description: 'Client public information', type: PublicClientInfoDataResponse })
  @ApiSimpleErrors(
    [404, 'not_found: Client not found'],
    [500, 'server_error: Internal server error'],
  )
  async publicClient(@Param('client_id') clientId: string): Promise<Envelope<PublicClientInfo>> {
    const view = await this.consents.publicClient(clientId);
    if (!view) throw OAuthError.notFound('Client not found');
    return envelope(
      200,
      { client_name: view.clientName, logo_uri: view.logoUri, scopes: view.scopes },
      'success',
    );
  }
}
