import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiOAuthErrors } from '../common/swagger/api-oauth-errors.decorator.js';
import { JsonWebKeySet } from './dto/json-web-key-set.dto.js';
import { PUBLIC_DOCUMENT_CACHE_CONTROL } from './keys.constants.js';
import { KeyCacheService } from './key-cache.service.js';

/** `GET /.well-known/jwks.json` at the host root: the `jwks_uri` of the discovery documents (RFC 8414 §2). */
@ApiTags('Discovery')
@Controller()
export class JwksController {
  constructor(private readonly keys: KeyCacheService) {}

  @Get('.well-known/jwks.json')
  @Header('Cache-Control', PUBLIC_DOCUMENT_CACHE_CONTROL)
  @ApiOperation({
    summary: 'JSON Web Key Set',
    description:
      'Public keys that verify the ID tokens and JWT access tokens this server signs (RFC 7517 §5): ' +
      'the signing key of each algorithm (KEYS_ALG for access tokens, TOKEN_ID_ALG for ID tokens) first, ' +
      'then a key staged by a rotation (listed before it signs its first token), then previous keys, ' +
      'which stay listed until every token they signed has expired.',
  })
  @ApiOkResponse({ type: JsonWebKeySet, description: 'The JWK Set' })
  @ApiOAuthErrors([500, 'The keys could not be loaded'])
  async jwks(): Promise<JsonWebKeySet> {
    return (await this.keys.getPublicJwks()) as unknown as JsonWebKeySet;
  }
}
