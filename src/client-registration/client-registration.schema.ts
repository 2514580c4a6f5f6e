import { CLIENT_REGISTRATION_MIGRATIONS } from '../database/index.js';
import { AUDIT_ENTITIES } from '../audit/index.js';
import { RATE_LIMIT_ENTITIES } from '../rate-limit/index.js';
import { ClientMetadataDocumentEntity } from './entities/client-metadata-document.entity.js';
import { ClientSecretEntity } from './entities/client-secret.entity.js';
import { ClientEntity } from './entities/client.entity.js';

/**
 * The entities `ClientRegistrationModule` needs on the host's TypeORM connection: its clients, their
 * secrets, the rate-limit counters of its registration limit, the audit trail of client changes and the
 * cache of Client ID Metadata Documents.
 */
export const CLIENT_REGISTRATION_ENTITIES = [
  ClientEntity,
  ClientSecretEntity,
  ClientMetadataDocumentEntity,
  ...RATE_LIMIT_ENTITIES,
  ...AUDIT_ENTITIES,
];

/** The migrations that create {@link CLIENT_REGISTRATION_ENTITIES}, in order (SQLite and MySQL/MariaDB). */
export { CLIENT_REGISTRATION_MIGRATIONS };
