import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClockModule } from '../common/time/clock.module.js';
import { ClientsService } from './clients.service.js';
import { ClientSecretEntity } from './entities/client-secret.entity.js';
import { ClientEntity } from './entities/client.entity.js';

/**
 * The client store of ClientRegistrationModule, importable on its own by AuthorizeModule and TokenModule
 * (they need `ClientsService`, not the registration endpoints or their options).
 */
@Module({
  imports: [TypeOrmModule.forFeature([ClientEntity, ClientSecretEntity]), ClockModule],
  providers: [ClientsService],
  exports: [ClientsService],
})
export class ClientsModule {}
