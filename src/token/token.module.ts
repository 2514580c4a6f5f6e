import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthorizationCodeService } from './authorization-code.service.js';
import { AccessTokenEntity } from './entities/access-token.entity.js';
import { AuthorizationCodeEntity } from './entities/authorization-code.entity.js';
import { ClientAssertionJtiEntity } from './entities/client-assertion-jti.entity.js';
import { RefreshTokenEntity } from './entities/refresh-token.entity.js';
import { TokenPurgeService } from './token-purge.service.js';

/**
 * TokenModule: the token endpoint (RFC 6749 §3.2), client authentication (RFC 6749 §2.3, RFC 7523),
 * refresh (§6), revocation (RFC 7009), introspection (RFC 7662) and userinfo (OIDC Core §5.3). Exports
 * {@link AuthorizationCodeService} for AuthorizeModule.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      AuthorizationCodeEntity,
      RefreshTokenEntity,
      AccessTokenEntity,
      ClientAssertionJtiEntity,
    ]),
  ],
  providers: [AuthorizationCodeService, TokenPurgeService],
  exports: [AuthorizationCodeService],
})
export class TokenModule {}
