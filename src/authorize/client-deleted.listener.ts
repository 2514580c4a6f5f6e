import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { CLIENT_DELETED, ClientDeletedEvent } from '../client-registration/index.js';
import { ConsentsService } from './consents.service.js';

/**
 * Forgets the consents given to a deleted client (RFC 7592 §2.3). Not essential for safety (a deleted
 * client is refused at the authorization endpoint anyway), so a failure is logged, not propagated.
 */
@Injectable()
export class AuthorizeClientDeletedListener {
  private readonly logger = new Logger(AuthorizeClientDeletedListener.name);

  constructor(private readonly consents: ConsentsService) {}

  @OnEvent(CLIENT_DELETED, { async: true, promisify: true })
  async onClientDeleted(event: ClientDeletedEvent): Promise<void> {
    try {
      await this.consents.revokeForClient(event.clientId);
    } catch (e) {
      this.logger.warn(`Could not delete the consents of client ${event.clientId}: ${String(e)}`);
    }
  }
}
