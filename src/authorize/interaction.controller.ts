import { Body, Controller, Get, Header, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiExcludeEndpoint,
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
import { CONSENT_PATH, LOGIN_PATH, STYLESHEET_PATH } from './authorize.constants.js';
import { STYLESHEET } from './html/stylesheet.js';
import { InteractionService } from './interaction.service.js';

const formField = (description: string) => ({ type: 'string', description });
const PENDING_FIELDS = {
  request: formField('Pending authorization request id (hidden field)'),
  csrf_token: formField('CSRF token of the page (hidden field)'),
};

function paramsOf(value: unknown): RawParams {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as RawParams)
    : {};
}

/**
 * The browser pages of the authorization endpoint: login (through the replaceable `LoginHandler`) and
 * consent. They carry only the pending request id and a CSRF token; every post is checked against the
 * browser-binding cookie (403 on mismatch). Thin: {@link InteractionService} decides,
 * {@link AuthorizationResponder} writes the result (and runs the login handler), and what is thrown
 * becomes an error page ({@link AuthorizationExceptionFilter}).
 */
@ApiTags('Authorization pages')
@Controller()
@UseFilters(AuthorizationExceptionFilter)
export class InteractionController {
  constructor(
    private readonly interaction: InteractionService,
    private readonly responder: AuthorizationResponder,
  ) {}

  @Get(LOGIN_PATH)
  @ApiOperation({ summary: 'Login page of a pending authorization request (HTML)' })
  @ApiQuery({ name: 'request', description: 'Pending authorization request id' })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'The login form' })
  @ApiResponse({ status: 302, description: 'Already authenticated by the login handler: continue' })
  @ApiResponse({ status: 400, description: 'Unknown, expired or completed request' })
  @ApiResponse({ status: 403, description: 'The request was started in another browser' })
  async login(
    @Query('request') request: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const result = await this.interaction.login(request, this.responder.browserOf(req));
    await this.responder.send(req, res, result);
  }

  @Post(LOGIN_PATH)
  @RateLimit('login')
  @ApiOperation({
    summary: 'Submit the login form (form-encoded: request, csrf_token, username, password)',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['request', 'csrf_token'],
      properties: {
        ...PENDING_FIELDS,
        username: formField('Username (default login handler)'),
        password: formField('Password (default login handler)'),
      },
    },
  })
  @ApiProduces('text/html')
  @ApiResponse({ status: 303, description: 'Signed in: on to the consent page or the client' })
  @ApiResponse({ status: 400, description: 'Unknown, expired or completed request' })
  @ApiResponse({ status: 401, description: 'Wrong username or password: the form again' })
  @ApiResponse({ status: 403, description: 'CSRF check failed' })
  @ApiResponse({
    status: 429,
    description:
      'rate_limit_exceeded (OAuthErrorResponse): too many sign-in attempts from this IP ' +
      '(LOGIN_RATE_LIMIT); retry after Retry-After seconds',
  })
  async submitLogin(
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const form = paramsOf(body);
    const result = await this.interaction.loginSubmitted(form, this.responder.browserOf(req));
    await this.responder.send(req, res, result, form);
  }

  @Get(CONSENT_PATH)
  @ApiOperation({ summary: 'Consent page of a pending authorization request (HTML)' })
  @ApiQuery({ name: 'request', description: 'Pending authorization request id' })
  @ApiProduces('text/html')
  @ApiResponse({ status: 200, description: 'The consent page' })
  @ApiResponse({ status: 302, description: 'Not signed in: to the login page' })
  @ApiResponse({ status: 400, description: 'Unknown, expired or completed request; client gone' })
  @ApiResponse({ status: 403, description: 'The request was started in another browser' })
  async consent(
    @Query('request') request: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const result = await this.interaction.consent(request, this.responder.browserOf(req));
    await this.responder.send(req, res, result);
  }

  @Post(CONSENT_PATH)
  @ApiOperation({
    summary: 'Submit the consent form (form-encoded: request, csrf_token, decision=allow|deny)',
  })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['request', 'csrf_token', 'decision'],
      properties: {
        ...PENDING_FIELDS,
        decision: { type: 'string', enum: ['allow', 'deny'], description: 'The button pressed' },
      },
    },
  })
  @ApiProduces('text/html')
  @ApiResponse({
    status: 303,
    description: 'To the redirect_uri with code (allow) or access_denied (deny)',
  })
  @ApiResponse({
    status: 403,
    description: 'CSRF check failed, or not signed in as the user of the request',
  })
  async submitConsent(
    @Body() body: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const form = paramsOf(body);
    const result = await this.interaction.consentSubmitted(form, this.responder.browserOf(req));
    await this.responder.send(req, res, result);
  }

  @Get(STYLESHEET_PATH)
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=3600')
  stylesheet(): string {
    return STYLESHEET;
  }
}
