import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** Name of the security scheme for the registration access token (RFC 7592 §1). */
export const REGISTRATION_ACCESS_TOKEN_SCHEME = 'registration_access_token';
/** Name of the security scheme for OAuth access tokens (RFC 6750). */
export const ACCESS_TOKEN_SCHEME = 'access_token';
/** Name of the security scheme of the internal API's `X-API-Key` header (reference O50-O52). */
export const INTERNAL_API_KEY_SCHEME = 'internal_api_key';
/** Name of the security scheme for HTTP Basic client authentication (RFC 6749 §2.3.1). */
export const CLIENT_BASIC_SCHEME = 'client_secret_basic';

/** What the OpenAPI document needs from the settings (the application passes its `AppConfig`). */
export interface OpenApiSettings {
  /** The issuer (RFC 8414 §2), listed as the document's server. */
  issuer: string;
}

/** Builds the OpenAPI document from the same DTO classes that validate requests. */
export function buildOpenApiDocument(
  app: INestApplication,
  config: OpenApiSettings,
): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('AuthMS OAuth Service API')
    .setDescription(
      'OAuth 2.0 / OpenID Connect authorization server with Dynamic Client Registration (RFC 7591/7592). ' +
        'Client registration is served in two styles at once: the contract’s `{code, data, message, ' +
        'timestamp}` envelope at `/api/v1/oauth/register` and flat RFC 7591/7592 bodies at ' +
        '`/connect/register` (the `registration_endpoint` of discovery); ' +
        'every error is a flat `{error, error_description}` (OAuthErrorResponse).',
    )
    .setVersion('1.0.0')
    .addServer(config.issuer)
    // addSecurity, not addBearerAuth: the latter defaults bearerFormat to JWT, and this token is opaque.
    .addSecurity(REGISTRATION_ACCESS_TOKEN_SCHEME, {
      type: 'http',
      scheme: 'bearer',
      description:
        'Registration access token (RFC 7592 §1): the opaque `reg_…` string issued by POST /oauth/register ' +
        '(not a JWT)',
    })
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'OAuth access token (RFC 9068 JWT)',
      },
      ACCESS_TOKEN_SCHEME,
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'X-API-Key',
        description: 'Internal API key (INTERNAL_API_KEYS), for service-to-service calls only',
      },
      INTERNAL_API_KEY_SCHEME,
    )
    .addBasicAuth(
      { type: 'http', scheme: 'basic', description: 'client_id / client_secret' },
      CLIENT_BASIC_SCHEME,
    );
  return SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (controllerKey: string, methodKey: string) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
}

/**
 * Serves Swagger UI at `/api/docs` and the JSON document at `/api/docs-json`. The document is built on
 * the first request to either, not at start-up (docs/adr/0120-openapi-document-built-on-first-request.md):
 * scanning every controller and DTO is about a fifth of a start-up's CPU, and an API server that nobody
 * browses never holds the document in memory (docs/benchmarks.md, "RSS over a 2-minute run"). Built once,
 * from the same fully initialised application, it is the document start-up would have built;
 * `SwaggerModule` keeps it for later requests.
 */
export function setupSwagger(app: INestApplication, config: OpenApiSettings): void {
  SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app, config), {
    jsonDocumentUrl: 'api/docs-json',
    customSiteTitle: 'AuthMS API',
  });
}
