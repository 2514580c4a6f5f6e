import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClockModule } from '../common/time/clock.module.js';
import { SigningKeyEntity } from './entities/signing-key.entity.js';
import { JwksController } from './jwks.controller.js';
import { JwtService } from './jwt.service.js';
import { KeyCacheService } from './key-cache.service.js';
import { KeyStoreService } from './key-store.service.js';

/**
 * Signing keys shared through the database (RFC 7515, RFC 7517) in three parts: {@link KeyStoreService}
 * (storage, encryption at rest, rotation), {@link KeyCacheService} (this instance's copy and which key signs
 * now) and {@link JwtService} (signing and verifying our JWTs); plus the JWK Set endpoint. They go by the
 * application's `Clock`, which tests move. Static: import it where needed.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKeyEntity]), ClockModule],
  controllers: [JwksController],
  providers: [KeyStoreService, KeyCacheService, JwtService],
  exports: [KeyStoreService, KeyCacheService, JwtService],
})
export class KeysModule {}
