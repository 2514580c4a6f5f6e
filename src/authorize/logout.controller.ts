import { Body, Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { RateLimit } from '../rate-limit/index.js';
import type { RawParams } from './authorization-request.js';
import { AuthorizationExceptionFilter } from './authorization-exception.filter.js';
import { AuthorizationResponder } from './authorization-responder.js';
import { LOGOUT_CONFIRM_PATH, LOGOUT_PATH } from './authorize.constants.js';
import { LogoutService } from './logout.service.js';

const field = (description: string) => ({ type: 'string', description });
const LOGOUT_FIELDS = {
  id_token_hint: field(
    'An ID token this server issued to the client (an expired one is accepted); proves the request comes from the RP',
  ),
  client_id: field('The client; required with post_logout_redirect_uri when there is no hint'),
  post_logout_redirect_uri: field(
    'Where to send the browser afterwards: exactly one of the client’s post_logout_redirect_uris',
  ),
  state: field('Echoed to post_logout_redirect_uri'),
  ui_locales: field('Accepted; the pages are English only'),
  logout_hint: field('Accepted and ignored: the session ended is the browser’s'),
};

function paramsOf(value: unknown): RawParams {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as RawParams)
    : {};
}

const RESPONSES = [
  {
    status: 200,
    description:
      'Without a valid id_token_hint: the sign-out confirmation page. After sign-out without a ' +
      'redirect: the signed-out page',
  },
  {
    status: 302,
    description: 'Signed out: to the registered post_logout_redirect_uri with state',
  },
  {
    status: 400,
    description:
      'invalid_request: invalid id_token_hint, hint for another client or user, unknown client, ' +
      'unregistered post_logout_redirect_uri or one without a client (HTML page; JSON ' +
      '`{error, error_description}` for Accept: application/json). Never redirected.',
  },
];

/**
 * The OpenID Connect RP-Initiated Logout 1.0 `end_session_endpoint` (GET and POST, §2) and the form of its
 * confirmation page. Thin: the rules are in {@link LogoutService}, which returns each outcome as data;
 * {@link AuthorizationResponder} writes it, as for the authorization flow (ADR 0025), and what is thrown
 * becomes an error page through {@link AuthorizationExceptionFilter}.
 */
@ApiTags('OAuth')
@Controller()
@UseFilters(AuthorizationExceptionFilter)
export class LogoutController {
  constructor(
    private readonly logout: LogoutService,
    private readonly responder: AuthorizationResponder,
  ) {}

  @Get(LOGOUT_PATH)
  @RateLimit('authorize')
  @ApiOperation({
    summary: 'OpenID Connect end-session endpoint (RP-Initiated Logout 1.0)',
    description:
      'Ends the browser’s login session at this server and sends logout tokens to the relying parties ' +
      'of the session (Back-Channel Logout 1.0). See docs/logout.md.',
  })
  @ApiProduces('text/html', 'application/json')
  @ApiQuery({ name: 'id_token_hint', required: false, schema: LOGOUT_FIELDS.id_token_hint })
  @ApiQuery({ name: 'client_id', required: false, schema: LOGOUT_FIELDS.client_id })
  @ApiQuery({
    name: 'post_logout_redirect_uri',
    required: false,
    schema: LOGOUT_FIELDS.post_logout_redirect_uri,
  })
  @ApiQuery({ name: 'state', required: false, schema: LOGOUT_FIELDS.state })
  @ApiQuery({ name: 'ui_locales', required: false, schema: LOGOUT_FIELDS.ui_locales })
  @ApiResponse(RESPONSES[0])
  @ApiResponse(RESPONSES[1])
  @ApiResponse(RESPONSES[2])
  async endSessionGet(
    @Query() query: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const result = await this.logout.endSession(paramsOf(query), this.responder.browserOf(req));
    this.responder.write(req, res, result);
  }

  @Post(LOGOUT_PATH)
  @RateLimit('authorize')
  @ApiOperation({
    summary: 'OpenID Connect end-session endpoint (POST, form-encoded)',
    description:
      'The same request as GET, form-encoded (RP-Initiated Logout 1.0 §2). Redirects with 303.',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({ schema: { type: 'object', properties: LOGOUT_FIELDS } })
  @ApiProduces('text/html', 'application/json')
  @ApiResponse(RESPONSES[0])
  @ApiResponse({ ...RESPONSES[1], status: 303 })
  @ApiResponse(RESPONSES[2])
  async endSessionPost(
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const result = await this.logout.endSession(paramsOf(body), this.responder.browserOf(req));
    this.responder.write(req, res, result);
  }

  @Post(LOGOUT_CONFIRM_PATH)
  @RateLimit('authorize')
  @ApiOperation({
    summary: 'Submit the sign-out confirmation form (form-encoded: csrf_token, decision=logout, …)',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['csrf_token', 'decision'],
      properties: {
        csrf_token: field('CSRF token of the page (hidden field)'),
        decision: { type: 'string', enum: ['logout'], description: 'The button pressed' },
        client_id: LOGOUT_FIELDS.client_id,
        post_logout_redirect_uri: LOGOUT_FIELDS.post_logout_redirect_uri,
        state: LOGOUT_FIELDS.state,
      },
    },
  })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'Signed out: the signed-out page' })
  @ApiResponse({
    status: 303,
    description: 'Signed out: to the post_logout_redirect_uri with state',
  })
  @ApiResponse({ status: 400, description: 'invalid_request (as for the end-session endpoint)' })
  @ApiResponse({ status: 403, description: 'CSRF check failed' })
  async confirm(@Body() body: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    const result = await this.logout.confirm(paramsOf(body), this.responder.browserOf(req));
    this.responder.write(req, res, result);
  }
}
