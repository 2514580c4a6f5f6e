import { Injectable, Logger } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { CLIENT_DELETED, ClientDeletedEvent } from '../client-registration/index.js';
import { RefreshTokenService } from './refresh-token.service.js';

/**
 * Revokes every refresh token and access token of a deleted client (RFC 7592 §2.3: "the authorization
 * server ... SHOULD immediately invalidate all ... tokens issued to the client"). Registration awaits
 * this listener before answering 204, so the tokens are dead when the client learns of the deletion.
 * Validation re-reads the client on every request as well, so a deleted client's tokens fail even if
 * this listener did not run.
 */
@Injectable()
export class ClientDeletedListener {
  private readonly logger = new Logger(ClientDeletedListener.name);

  constructor(private readonly refreshTokens: RefreshTokenService) {}

  @OnEvent(CLIENT_DELETED, { async: true, promisify: true })
  async onClientDeleted(event: ClientDeletedEvent): Promise<void> {
    await this.refreshTokens.revokeClient(event.clientId);
    this.logger.log(`Revoked the tokens of deleted client ${event.clientId}`);
  }
}
