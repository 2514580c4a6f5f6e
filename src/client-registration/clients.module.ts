import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsService } from './clients.service.js';
import { ClientEntity } from './entities/client.entity.js';

/**
 * The client store of ClientRegistrationModule, importable on its own by AuthorizeModule and TokenModule
 * (they need `ClientsService`, not the registration endpoints or their options).
 */
@Module({
  imports: [TypeOrmModule.forFeature([ClientEntity])],
  providers: [ClientsService],
  exports: [ClientsService],
})
export class ClientsModule {}
