/** Event names emitted by ClientRegistrationModule (`@nestjs/event-emitter`), `<entity>.<past-tense>`. */
export const CLIENT_REGISTERED = 'client.registered';
export const CLIENT_UPDATED = 'client.updated';
export const CLIENT_DELETED = 'client.deleted';

/** Emitted after a client is registered (RFC 7591 §3). Carries no secret. */
export class ClientRegisteredEvent {
  constructor(readonly clientId: string) {}
}

/** Emitted after a client's metadata is replaced (RFC 7592 §2.2). */
export class ClientUpdatedEvent {
  constructor(readonly clientId: string) {}
}

/**
 * Emitted after a client is soft-deleted (RFC 7592 §2.3). TokenModule listens and revokes the client's
 * tokens; listeners run awaited (`emitAsync`) before the 204 is sent.
 */
export class ClientDeletedEvent {
  constructor(readonly clientId: string) {}
}
