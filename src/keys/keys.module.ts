import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SigningKeyEntity } from './entities/signing-key.entity.js';
import { JwksController } from './jwks.controller.js';
import { KeysService } from './keys.service.js';

/**
 * Signing keys shared through the database, JWT signing/verification and the JWK Set endpoint
 * (RFC 7515, RFC 7517). Static: import it wherever `KeysService` is needed.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKeyEntity])],
  controllers: [JwksController],
  providers: [KeysService],
  exports: [KeysService],
})
export class KeysModule {}
