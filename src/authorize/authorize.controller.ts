import { Body, Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiOAuthErrors } from '../common/swagger/api-oauth-errors.decorator.js';
import { RateLimit } from '../rate-limit/index.js';
import type { RawParams } from './authorization-request.js';
import { AuthorizationEndpointService } from './authorization-endpoint.service.js';
import { AuthorizationExceptionFilter } from './authorization-exception.filter.js';
import { AuthorizationResponder } from './authorization-responder.js';
import { AUTHORIZE_PATH } from './authorize.constants.js';
import { AuthorizationRequestParams } from './dto/authorization-request-params.dto.js';

const REDIRECT_DESCRIPTION =
  'Redirect. Either to the login or consent page of this server, or to the redirect_uri with ' +
  '`code`, `state` and `iss` (RFC 6749 §4.1.2, RFC 9207), or with `error` (invalid_request, ' +
  'unauthorized_client, unsupported_response_type, invalid_scope, access_denied, login_required, ' +
  'consent_required, request_not_supported, server_error), ' +
  '`error_description`, `state` and `iss` (RFC 6749 §4.1.2.1).';
const PAGE_ERROR_DESCRIPTION =
  'invalid_client / invalid_request: unknown or deleted client, missing client_id, or a redirect_uri ' +
  'that is not registered; invalid_request_uri: a request_uri (RFC 9126) that is unknown, used, expired ' +
  'or of another client. Never redirected (RFC 6749 §4.1.2.1): an HTML page, or OAuthErrorResponse ' +
  'when the request accepts only application/json.';

const RATE_LIMITED_DESCRIPTION =
  'rate_limit_exceeded: too many authorization requests from this IP (AUTHORIZE_RATE_LIMIT); ' +
  'retry after Retry-After seconds.';

/** Plain object of the request's parameters (query or body), whatever the body parser produced. */
function paramsOf(value: unknown): RawParams {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as RawParams)
    : {};
}

/**
 * The authorization endpoint (RFC 6749 §3.1), `GET` and `POST` (OIDC Core §3.1.2.1: form-encoded; JSON
 * is accepted too, as in the oauth-service contract O2). Thin: {@link AuthorizationEndpointService}
 * decides, {@link AuthorizationResponder} writes the result, and what is thrown becomes an error page
 * ({@link AuthorizationExceptionFilter}).
 */
@ApiTags('OAuth')
@Controller()
@UseFilters(AuthorizationExceptionFilter)
export class AuthorizeController {
  constructor(
    private readonly endpoint: AuthorizationEndpointService,
    private readonly responder: AuthorizationResponder,
  ) {}

  @Get(AUTHORIZE_PATH)
  @RateLimit('authorize')
  @ApiOperation({
    summary: 'OAuth 2.0 Authorization Endpoint',
    description:
      'Authorization code flow (RFC 6749 §4.1) with PKCE S256 (RFC 7636; required for public clients) and ' +
      'OpenID Connect (`openid`, `nonce`, `prompt`, `max_age`). The browser is sent through the login ' +
      'and consent pages, then redirected to the redirect_uri with `code`, `state` and `iss`.',
  })
  @ApiProduces('text/html', 'application/json')
  @ApiResponse({ status: 302, description: REDIRECT_DESCRIPTION })
  @ApiOAuthErrors(
    [400, PAGE_ERROR_DESCRIPTION],
    [429, RATE_LIMITED_DESCRIPTION],
    [500, 'server_error: authorization server internal error. Reference: RFC 6749 §5.2.'],
  )
  async authorizeGet(
    @Query() query: AuthorizationRequestParams,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.run(paramsOf(query), req, res);
  }

  @Post(AUTHORIZE_PATH)
  @RateLimit('authorize')
  @ApiOperation({
    summary: 'OAuth 2.0 Authorization Endpoint (POST)',
    description:
      'The same request as GET, with the parameters in a form-encoded (OIDC Core §3.1.2.1) or JSON body. ' +
      'Redirects with 303 so that the browser follows with GET.',
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: AuthorizationRequestParams })
  @ApiProduces('text/html', 'application/json')
  @ApiResponse({ status: 303, description: REDIRECT_DESCRIPTION })
  @ApiOAuthErrors(
    [400, PAGE_ERROR_DESCRIPTION],
    [429, RATE_LIMITED_DESCRIPTION],
    [500, 'server_error: authorization server internal error. Reference: RFC 6749 §5.2.'],
  )
  async authorizePost(
    @Body() body: AuthorizationRequestParams,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.run(paramsOf(body), req, res);
  }

  private async run(params: RawParams, req: Request, res: Response): Promise<void> {
    const result = await this.endpoint.authorize(params, this.responder.browserOf(req));
    await this.responder.send(req, res, result);
  }
}
