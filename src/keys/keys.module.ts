import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Clock } from '../common/time/clock.js';
import { SigningKeyEntity } from './entities/signing-key.entity.js';
import { JwksController } from './jwks.controller.js';
import { JwtService } from './jwt.service.js';
import { KeyCacheService } from './key-cache.service.js';
import { KeyStoreService } from './key-store.service.js';

/**
 * Signing keys shared through the database (RFC 7515, RFC 7517) in three parts: {@link KeyStoreService}
 * (storage, encryption at rest, rotation), {@link KeyCacheService} (this instance's copy and which key signs
 * now) and {@link JwtService} (signing and verifying our JWTs); plus the JWK Set endpoint. The {@link Clock}
 * they share is exported so tests can move one application's time. Static: import it where needed.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKeyEntity])],
  controllers: [JwksController],
  providers: [Clock, KeyStoreService, KeyCacheService, JwtService],
  exports: [Clock, KeyStoreService, KeyCacheService, JwtService],
})
export class KeysModule {}
