import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClockModule } from '../common/time/clock.module.js';
import {
  CLIENT_ID_METADATA_SETTINGS,
  resolveClientIdMetadataSettings,
  type ClientIdMetadataOptions,
} from './client-id-metadata.options.js';
import { ClientIdMetadataService } from './client-id-metadata.service.js';
import { ClientsService } from './clients.service.js';
import { ClientMetadataDocumentEntity } from './entities/client-metadata-document.entity.js';
import { ClientSecretEntity } from './entities/client-secret.entity.js';
import { ClientEntity } from './entities/client.entity.js';

/**
 * The client store of ClientRegistrationModule, importable on its own by AuthorizeModule and TokenModule
 * (they need `ClientsService`, not the registration endpoints or their options). Client ID Metadata
 * Documents are resolved here too when the application imports {@link ClientIdMetadataModule}.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([ClientEntity, ClientSecretEntity, ClientMetadataDocumentEntity]),
    ClockModule,
  ],
  providers: [ClientsService, ClientIdMetadataService],
  exports: [ClientsService, ClientIdMetadataService],
})
export class ClientsModule {}

/**
 * Turns on Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document) for the whole
 * application: a global provider of their settings, which `ClientsModule` picks up. Without it, URL
 * client_ids are unknown clients.
 */
@Module({})
export class ClientIdMetadataModule {
  static forRoot(options: ClientIdMetadataOptions = {}): DynamicModule {
    return {
      module: ClientIdMetadataModule,
      global: true,
      providers: [
        {
          provide: CLIENT_ID_METADATA_SETTINGS,
          useValue: resolveClientIdMetadataSettings(options),
        },
      ],
      exports: [CLIENT_ID_METADATA_SETTINGS],
    };
  }

  static forRootAsync(options: {
    imports?: ModuleMetadata['imports'];
    inject?: never[] | unknown[];
    useFactory: (...args: never[]) => ClientIdMetadataOptions | Promise<ClientIdMetadataOptions>;
  }): DynamicModule {
    return {
      module: ClientIdMetadataModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: CLIENT_ID_METADATA_SETTINGS,
          inject: (options.inject ?? []) as never[],
          useFactory: async (...args: never[]) =>
            resolveClientIdMetadataSettings(await options.useFactory(...args)),
        },
      ],
      exports: [CLIENT_ID_METADATA_SETTINGS],
    };
  }
}
