import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { ApiOAuthErrors } from '../common/swagger/api-oauth-errors.decorator.js';
import { DiscoveryService } from './discovery.service.js';
import { OpenIdProviderMetadata } from './dto/openid-provider-metadata.dto.js';

/** Cacheable briefly: the id_token algorithm changes with `TOKEN_ID_ALG` at a restart. */
const CACHE_CONTROL = 'public, max-age=300';

/**
 * The two well-known metadata documents at the host root (outside `/api/v1`): RFC 8414 §3 and OpenID
 * Connect Discovery 1.0 §4. Both answer the same document.
 */
@ApiTags('Discovery')
@Controller()
export class DiscoveryController {
  constructor(private readonly discovery: DiscoveryService) {}

  @Get('.well-known/oauth-authorization-server')
  @Header('Cache-Control', CACHE_CONTROL)
  @ApiOperation({
    summary: 'OAuth 2.0 Authorization Server Metadata (RFC 8414)',
    description:
      'Endpoints and capabilities of this authorization server. Clients such as MCP clients start here ' +
      'to find registration_endpoint (RFC 7591) and the token endpoint.',
  })
  @ApiProduces('application/json')
  @ApiOkResponse({ type: OpenIdProviderMetadata, description: 'The metadata document' })
  @ApiOAuthErrors([500, 'The signing keys could not be loaded'])
  authorizationServerMetadata(): Promise<OpenIdProviderMetadata> {
    return this.discovery.metadata();
  }

  @Get('.well-known/openid-configuration')
  @Header('Cache-Control', CACHE_CONTROL)
  @ApiOperation({
    summary: 'OpenID Provider Configuration (OpenID Connect Discovery 1.0)',
    description: 'The same metadata as /.well-known/oauth-authorization-server.',
  })
  @ApiProduces('application/json')
  @ApiOkResponse({ type: OpenIdProviderMetadata, description: 'The metadata document' })
  @ApiOAuthErrors([500, 'The signing keys could not be loaded'])
  openidConfiguration(): Promise<OpenIdProviderMetadata> {
    return this.discovery.metadata();
  }
}
