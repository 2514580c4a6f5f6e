import { NoStore } from '../common/http/no-store.js';
import { metadataPipe } from './client-metadata.pipe.js';
import {
  applyDecorators,
  Controller,
  createParamDecorator,
  Delete,
  Get,
  HttpCode,
  Inject,
  Put,
  Post,
  Req,
  Res,
  UseFilters,
  UseGuards,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiExtraModels,
  ApiHeader,
  ApiNoContentResponse,
  ApiOperation,
  ApiParam,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { OAuthError } from '../common/errors/oauth-error.js';
import { OAuthExceptionFilter } from '../common/errors/oauth-exception.filter.js';
import { envelope, type Envelope } from '../common/http/envelope.js';
import { clientEtag, ifMatchVersions, preconditionFailed } from '../common/http/etag.js';
import { ApiOAuthErrors } from '../common/swagger/api-oauth-errors.decorator.js';
import { REGISTRATION_ACCESS_TOKEN_SCHEME } from '../common/swagger/swagger.setup.js';
import { JsonObjectBody } from '../common/validation/json-object-body.decorator.js';
import { RateLimit } from '../rate-limit/index.js';
import { REGISTRATION_PATHS, REGISTRATION_SETTINGS } from './client-registration.constants.js';
import { toClientRegistrationResponse } from './client-registration.mapper.js';
import type {
  RegistrationResponseStyle,
  RegistrationSettings,
} from './client-registration.options.js';
import {
  ClientRegistrationService,
  StaleVersionError,
  type AuthenticatedRegistration,
  type ClientInformation,
} from './client-registration.service.js';
import { ClientRegistrationDetailResponse } from './dto/client-registration-detail-response.dto.js';
import { ClientRegistrationRequest } from './dto/client-registration-request.dto.js';
import { ClientRegistrationResponse } from './dto/client-registration-response.dto.js';
import { ClientRegistrationUpdateRequest } from './dto/client-registration-update-request.dto.js';
import {
  registeredResponseExample,
  REGISTRATION_REQUEST_EXAMPLES,
  UPDATE_REQUEST_EXAMPLES,
} from './client-registration.examples.js';
import { OpenRegistrationGuard } from './open-registration.guard.js';
import { RegistrationAccessTokenGuard } from './registration-access-token.guard.js';

/** The client authenticated by {@link RegistrationAccessTokenGuard}. */
const RegistrationAuth = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthenticatedRegistration =>
    ctx.switchToHttp().getRequest<Request & { user: AuthenticatedRegistration }>().user,
);

const notAnObject = () =>
  OAuthError.invalidClientMetadata('The request body must be a JSON object of client metadata');

const MetadataBody = () => JsonObjectBody(notAnObject, metadataPipe);

const TOKEN_HEADER = {
  name: 'Authorization',
  required: true,
  description: 'Bearer <registration_access_token>',
};
const CLIENT_ID_PARAM = {
  name: 'client_id',
  type: String,
  description: 'Client ID',
  example: '01JNXXXXXXXXXXXXXXXXXXXXXX',
};
const UNAUTHORIZED: [number, string] = [
  401,
  'invalid_token: missing or invalid Registration Access Token. Reference: RFC 7591 §2.3.',
];

/**
 * `applyDecorators` applies its list top-down; stacked decorators apply bottom-up. Reversing keeps the
 * generated OpenAPI document (parameter order and all) exactly what the stacked decorators produced.
 */
const stacked = (...decorators: (MethodDecorator | ClassDecorator)[]) =>
  applyDecorators(...decorators.reverse());

/**
 * The documentation and HTTP semantics of each operation, shared by both styles; `success` is the body
 * schema of the style (the envelope `ClientRegistrationDetailResponse` or the flat
 * `ClientRegistrationResponse`).
 */
const RegisterOperation = (success: Type<unknown>, style: string) =>
  stacked(
    Post(),
    HttpCode(201),
    NoStore(),
    RateLimit('register'),
    UseGuards(OpenRegistrationGuard),
    ApiOperation({
      summary: 'Dynamic Client Registration' + style,
      description:
        'OAuth 2.0 dynamic client registration endpoint. Clients self-register and obtain client_id, ' +
        'client_secret, and registration_access_token. Rate limit: max 10 registrations per hour per IP ' +
        '(configurable). Open unless initial access tokens are configured (then `Authorization: Bearer ' +
        '<initial access token>`). Reference: RFC 7591 §2 (Dynamic Client Registration Protocol).',
    }),
    ApiBody({
      type: ClientRegistrationRequest,
      required: true,
      description:
        'Client registration request (includes client_name, redirect_uris, grant_types, scope, etc.)',
      examples: REGISTRATION_REQUEST_EXAMPLES,
    }),
    ApiResponse({
      status: 201,
      type: success,
      example: registeredResponseExample(
        success === ClientRegistrationResponse ? 'flat' : 'envelope',
      ),
      description:
        'Registration successful (includes client_id, client_secret, registration_access_token). ' +
        'Reference: RFC 7591 §2.1.',
    }),
    ApiOAuthErrors(
      [
        400,
        'invalid_client_metadata: request metadata invalid (missing redirect_uris, etc.); ' +
          'invalid_redirect_uri: a redirect URI is not acceptable. Reference: RFC 7591 §2.3.',
      ],
      [
        401,
        'invalid_token: an initial access token is required and was missing or wrong (RFC 7591 §3)',
      ],
      [413, 'invalid_request: the request body is too large'],
      [415, 'invalid_request: Content-Type must be application/json'],
      [429, 'rate_limit_exceeded: registration rate limit exceeded, please retry later'],
      [500, 'server_error: failed to register client'],
    ),
  );

const ReadOperation = (success: Type<unknown>, style: string) =>
  stacked(
    Get(':client_id'),
    NoStore(),
    UseGuards(RegistrationAccessTokenGuard),
    ApiBearerAuth(REGISTRATION_ACCESS_TOKEN_SCHEME),
    ApiOperation({
      summary: 'Read Client Registration' + style,
      description:
        'OAuth 2.0 dynamic client registration read endpoint. Uses Registration Access Token to read ' +
        'current client metadata. The client secret is not returned again. Reference: RFC 7591 §3 ' +
        '(Client Read Request), RFC 7592 §2.1.',
    }),
    ApiParam(CLIENT_ID_PARAM),
    ApiHeader(TOKEN_HEADER),
    ApiResponse({
      status: 200,
      type: success,
      description: 'Client metadata',
      headers: {
        ETag: {
          description: 'Version of the client, for If-Match on PUT (RFC 9110)',
          schema: { type: 'string' },
        },
      },
    }),
    ApiOAuthErrors([
      401,
      'invalid_token: missing or invalid Registration Access Token. Reference: RFC 7591 §3.2.',
    ]),
  );

const UpdateOperation = (success: Type<unknown>, style: string) =>
  stacked(
    Put(':client_id'),
    NoStore(),
    UseGuards(RegistrationAccessTokenGuard),
    ApiBearerAuth(REGISTRATION_ACCESS_TOKEN_SCHEME),
    ApiOperation({
      summary: 'Update Client Registration' + style,
      description:
        'OAuth 2.0 dynamic client registration update endpoint. Uses Registration Access Token to ' +
        'update client metadata (redirect_uris, grant_types, scope, JWKS, etc.). The body replaces the ' +
        'metadata: omitted fields are cleared or reset to their defaults. A new registration access ' +
        'token is returned and the old one stops working (unless rotation is disabled). Reference: ' +
        'RFC 7591 §2.2 (Client Update Request), RFC 7592 §2.2.',
    }),
    ApiParam(CLIENT_ID_PARAM),
    ApiHeader(TOKEN_HEADER),
    ApiHeader({
      name: 'If-Match',
      required: false,
      description:
        'ETag of the version read (RFC 9110 §13.1.1): the update applies only to that version, else 412',
    }),
    ApiBody({
      type: ClientRegistrationUpdateRequest,
      required: true,
      description: 'Updated client metadata',
      examples: UPDATE_REQUEST_EXAMPLES,
    }),
    ApiResponse({
      status: 200,
      type: success,
      description: 'Updated client metadata',
      headers: {
        ETag: { description: 'The new version of the client', schema: { type: 'string' } },
      },
    }),
    ApiOAuthErrors(
      [
        400,
        'invalid_client_metadata: request metadata invalid; invalid_redirect_uri: a redirect URI is ' +
          'not acceptable',
      ],
      UNAUTHORIZED,
      [412, 'precondition_failed: If-Match does not match the current version of the client'],
      [413, 'invalid_request: the request body is too large'],
      [415, 'invalid_request: Content-Type must be application/json'],
      [500, 'server_error: failed to update client registration'],
    ),
  );

const DeleteOperation = (style: string) =>
  stacked(
    Delete(':client_id'),
    HttpCode(204),
    NoStore(),
    UseGuards(RegistrationAccessTokenGuard),
    ApiBearerAuth(REGISTRATION_ACCESS_TOKEN_SCHEME),
    ApiOperation({
      summary: 'Delete Client Registration' + style,
      description:
        'OAuth 2.0 dynamic client registration delete endpoint. Uses Registration Access Token to ' +
        'soft-delete client registration; its secret and tokens stop working at once. Reference: ' +
        'RFC 7591 §2.3 (Client Delete Request), RFC 7592 §2.3.',
    }),
    ApiParam(CLIENT_ID_PARAM),
    ApiHeader(TOKEN_HEADER),
    ApiNoContentResponse({ description: 'Deleted successfully (no response body)' }),
    ApiOAuthErrors(UNAUTHORIZED, [500, 'server_error: failed to delete client registration']),
  );

/** Suffix of the flat operations' summaries, so Swagger UI tells the two styles apart. */
const FLAT = ' (RFC 7591 flat body)';

/**
 * The client information of one response as the wire shape, with `registration_client_uri` pointing back
 * into the same style's endpoint (RFC 7592 §3): envelope clients keep using the contract's path, standard
 * clients the standard one.
 */
function present(
  settings: RegistrationSettings,
  style: RegistrationResponseStyle,
  info: ClientInformation,
): ClientRegistrationResponse {
  const base = style === 'flat' ? '' : settings.routePrefix;
  return toClientRegistrationResponse(
    info,
    `${settings.issuer}${base}${REGISTRATION_PATHS[style]}/${info.clientId}`,
    { logoutMetadata: style === 'flat' },
  );
}

/**
 * RFC 7592 §2.2 update honouring `If-Match` (RFC 9110 §13.1.1): with it, the update applies only to the
 * version read (412 otherwise); the stored update is itself conditional on that version, so a concurrent
 * change in between still loses cleanly. Sets the new version's `ETag`.
 */
async function updateIfMatch(
  registrations: ClientRegistrationService,
  req: Request,
  res: Response,
  auth: AuthenticatedRegistration,
  body: ClientRegistrationUpdateRequest,
): Promise<ClientInformation> {
  const versions = ifMatchVersions(req.headers['if-match']);
  if (versions !== undefined && !versions.includes(auth.client.version)) throw preconditionFailed();
  let info: ClientInformation;
  try {
    info = await registrations.update(auth, body, req.ip ?? '', {
      ifMatch: versions !== undefined,
    });
  } catch (e) {
    if (e instanceof StaleVersionError) throw preconditionFailed();
    throw e;
  }
  // The conditional update bumped the version by exactly one.
  res.setHeader('ETag', clientEtag(auth.client.version + 1));
  return info;
}

/**
 * The contract's registration endpoint (reference O17-O20): the client information wrapped in the
 * oauth-service envelope `{code, data, message, timestamp}`, under the host's route prefix.
 */
@ApiTags('OAuth')
@ApiExtraModels(ClientRegistrationResponse, ClientRegistrationDetailResponse)
@UseFilters(OAuthExceptionFilter)
@Controller(REGISTRATION_PATHS.envelope.slice(1))
export class ClientRegistrationController {
  constructor(
    private readonly registrations: ClientRegistrationService,
    @Inject(REGISTRATION_SETTINGS) private readonly settings: RegistrationSettings,
  ) {}

  @RegisterOperation(ClientRegistrationDetailResponse, '')
  async register(
    @Req() req: Request,
    @MetadataBody() body: ClientRegistrationRequest,
  ): Promise<Envelope<ClientRegistrationResponse>> {
    const info = await this.registrations.register(body, req.ip ?? '');
    return envelope(201, present(this.settings, 'envelope', info), 'Client registered');
  }

  @ReadOperation(ClientRegistrationDetailResponse, '')
  read(
    @RegistrationAuth() auth: AuthenticatedRegistration,
    @Res({ passthrough: true }) res: Response,
  ): Envelope<ClientRegistrationResponse> {
    res.setHeader('ETag', clientEtag(auth.client.version));
    const info = this.registrations.read(auth);
    return envelope(200, present(this.settings, 'envelope', info), 'Client metadata');
  }

  @UpdateOperation(ClientRegistrationDetailResponse, '')
  async update(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @RegistrationAuth() auth: AuthenticatedRegistration,
    @MetadataBody() body: ClientRegistrationUpdateRequest,
  ): Promise<Envelope<ClientRegistrationResponse>> {
    const info = await updateIfMatch(this.registrations, req, res, auth, body);
    return envelope(200, present(this.settings, 'envelope', info), 'Client updated');
  }

  @DeleteOperation('')
  async delete(
    @Req() req: Request,
    @RegistrationAuth() auth: AuthenticatedRegistration,
  ): Promise<void> {
    await this.registrations.delete(auth, req.ip ?? '');
  }
}

/**
 * The standard registration endpoint (RFC 7591 §3, RFC 7592 §2) with flat bodies, at the host root:
 * what discovery advertises as `registration_endpoint`, so OAuth libraries and MCP clients register
 * with the default settings. Same service, store, validator, guards and errors as the contract's.
 */
@ApiTags('OAuth')
@UseFilters(OAuthExceptionFilter)
@Controller(REGISTRATION_PATHS.flat.slice(1))
export class FlatClientRegistrationController {
  constructor(
    private readonly registrations: ClientRegistrationService,
    @Inject(REGISTRATION_SETTINGS) private readonly settings: RegistrationSettings,
  ) {}

  @RegisterOperation(ClientRegistrationResponse, FLAT)
  async register(
    @Req() req: Request,
    @MetadataBody() body: ClientRegistrationRequest,
  ): Promise<ClientRegistrationResponse> {
    return present(this.settings, 'flat', await this.registrations.register(body, req.ip ?? ''));
  }

  @ReadOperation(ClientRegistrationResponse, FLAT)
  read(
    @RegistrationAuth() auth: AuthenticatedRegistration,
    @Res({ passthrough: true }) res: Response,
  ): ClientRegistrationResponse {
    res.setHeader('ETag', clientEtag(auth.client.version));
    return present(this.settings, 'flat', this.registrations.read(auth));
  }

  @UpdateOperation(ClientRegistrationResponse, FLAT)
  async update(
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
    @RegistrationAuth() auth: AuthenticatedRegistration,
    @MetadataBody() body: ClientRegistrationUpdateRequest,
  ): Promise<ClientRegistrationResponse> {
    const info = await updateIfMatch(this.registrations, req, res, auth, body);
    return present(this.settings, 'flat', info);
  }

  @DeleteOperation(FLAT)
  async delete(
    @Req() req: Request,
    @RegistrationAuth() auth: AuthenticatedRegistration,
  ): Promise<void> {
    await this.registrations.delete(auth, req.ip ?? '');
  }
}
