import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ClientsService } from '../client-registration/index.js';
import { UserTokensService, type RevokedTokenCounts } from '../token/index.js';
import { ConsentsService } from './consents.service.js';
import type { ConsentEntity } from './entities/consent.entity.js';

/** What a consent page may show about a client (the reference's `PublicClientInfo`, O15). */
export interface PublicClientView {
  clientName: string | null;
  logoUri: string | null;
  scopes: string[];
}

/**
 * The signed-in user's view of their consents (the reference's O13/O14) and the public client view of
 * consent pages (O15). Withdrawing a consent also ends what the client holds for the user (OIDC Core
 * §3.1.2.4 consent, RFC 7009 §2: the tokens stop working at once on every instance).
 */
@Injectable()
export class UserConsentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly consents: ConsentsService,
    private readonly tokens: UserTokensService,
    private readonly clients: ClientsService,
  ) {}

  /** The user's consents, most recently granted first. */
  list(userId: string): Promise<ConsentEntity[]> {
    return this.consents.listForUser(userId);
  }

  /**
   * Withdraws the consent `id` of `userId` and, in the same transaction, revokes every access and
   * refresh token (and pending code) of that client for that user. Null when the user has no such
   * consent (also when it is another user's).
   */
  async revoke(
    userId: string,
    id: string,
  ): Promise<{ consent: ConsentEntity; revoked: RevokedTokenCounts } | null> {
    return this.dataSource.transaction(async (m) => {
      const consent = await this.consents.deleteForUser(m, id, userId);
      if (!consent) return null;
      const revoked = await this.tokens.revoke(userId, { clientId: consent.clientId, manager: m });
      return { consent, revoked };
    });
  }

  /** Public information about an active client, or null for an unknown or deleted one. */
  async publicClient(clientId: string): Promise<PublicClientView | null> {
    const client = await this.clients.findActiveById(clientId);
    if (!client) return null;
    return { clientName: client.clientName, logoUri: client.logoUri, scopes: client.scopes };
  }
}
