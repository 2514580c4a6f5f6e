import { Inject, Injectable, Logger, Module, type DynamicModule } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import {
  CLIENT_DELETED,
  CLIENT_REGISTERED,
  CLIENT_UPDATED,
  ClientsModule,
  ClientsService,
  OAuthError,
  type ClientDeletedEvent,
  type ClientMetadata,
  type ClientRegisteredEvent,
  type ClientUpdatedEvent,
  type RegistrationPolicy,
  type RegistrationPolicyContext,
} from '../../src/client-registration/index.js';

/** Options of {@link AuditExtensionModule}. */
export interface AuditExtensionOptions {
  /**
   * Hosts (and their subdomains) that `https` redirect URIs may point to. Loopback and private-use
   * redirect URIs of native apps (RFC 8252) are not affected.
   */
  allowedRedirectHosts: string[];
}

const AUDIT_EXTENSION_OPTIONS = Symbol('AUDIT_EXTENSION_OPTIONS');

/** One line of the audit trail. */
export interface AuditEntry {
  event: 'registered' | 'updated' | 'deleted';
  clientId: string;
  clientName: string | null;
}

/**
 * Listens to the client events of ClientRegistrationModule and keeps an audit trail. The events carry
 * only the client id; the listener reads the rest through `ClientsService`, the module's read API.
 */
@Injectable()
export class ClientAuditLog {
  private readonly logger = new Logger(ClientAuditLog.name);
  /** The trail, oldest first (a real deployment would write it to its audit store). */
  readonly entries: AuditEntry[] = [];

  constructor(private readonly clients: ClientsService) {}

  @OnEvent(CLIENT_REGISTERED)
  async registered(event: ClientRegisteredEvent): Promise<void> {
    await this.record('registered', event.clientId);
  }

  @OnEvent(CLIENT_UPDATED)
  async updated(event: ClientUpdatedEvent): Promise<void> {
    await this.record('updated', event.clientId);
  }

  /** `client.deleted` listeners run before the 204 is sent, so the entry is there when DELETE returns. */
  @OnEvent(CLIENT_DELETED)
  deleted(event: ClientDeletedEvent): void {
    this.entries.push({ event: 'deleted', clientId: event.clientId, clientName: null });
  }

  private async record(event: AuditEntry['event'], clientId: string): Promise<void> {
    const client = await this.clients.findActiveById(clientId);
    this.entries.push({ event, clientId, clientName: client?.clientName ?? null });
    this.logger.log(`client ${event}: ${clientId}`);
  }
}

/**
 * A registration policy (RFC 7591 §5: the server may reject requested metadata): web redirect URIs must
 * point to an approved host. It runs after the built-in rules, on register and on update.
 */
@Injectable()
export class RedirectHostPolicy implements RegistrationPolicy {
  constructor(@Inject(AUDIT_EXTENSION_OPTIONS) private readonly options: AuditExtensionOptions) {}

  validate(metadata: Readonly<ClientMetadata>, _ctx: RegistrationPolicyContext): void {
    metadata.redirectUris.forEach((uri, i) => {
      const url = new URL(uri);
      if (url.protocol !== 'https:') return;
      const host = url.hostname;
      const approved = this.options.allowedRedirectHosts.some(
        (h) => host === h || host.endsWith(`.${h}`),
      );
      if (!approved) {
        throw OAuthError.invalidRedirectUri(`redirect_uris[${i}] is not on an approved host`);
      }
    });
  }
}

/**
 * An extension of AuthMS in its own Nest module: an audit trail of client registrations (event listener)
 * and a registration policy. See `audited-app.module.ts` for how it is composed with AuthMS.
 */
@Module({})
export class AuditExtensionModule {
  static forRoot(options: AuditExtensionOptions): DynamicModule {
    return {
      module: AuditExtensionModule,
      imports: [ClientsModule],
      providers: [
        { provide: AUDIT_EXTENSION_OPTIONS, useValue: options },
        ClientAuditLog,
        RedirectHostPolicy,
      ],
      exports: [ClientAuditLog, RedirectHostPolicy],
    };
  }
}
