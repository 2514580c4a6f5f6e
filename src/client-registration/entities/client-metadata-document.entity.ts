import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochSeconds, jsonText } from '../../common/database/columns.js';
import type { ClientMetadata } from '../client-metadata.validator.js';

/**
 * A fetched and validated Client ID Metadata Document (draft-ietf-oauth-client-id-metadata-document):
 * the client whose `client_id` is the document's URL, cached until `expires_at` (its HTTP caching headers,
 * within the configured bounds). In the database so that every instance sees the same client between
 * the authorization request and the token request, and fetches a document once per lifetime.
 */
@Entity('client_metadata_documents')
export class ClientMetadataDocumentEntity {
  /** SHA-256 hex of the URL (URLs can be longer than an index allows). */
  @PrimaryColumn({ name: 'url_hash', type: 'varchar', length: 64 })
  urlHash!: string;

  /** The URL: the client_id. */
  @Column({ name: 'client_id', type: 'varchar', length: 255 })
  clientId!: string;

  /** The validated metadata, with defaults applied (what `validateClientMetadata` returns). */
  @Column({ name: 'metadata', type: 'text', transformer: jsonText })
  metadata!: ClientMetadata;

  @Column({ name: 'fetched_at', type: 'bigint', transformer: epochSeconds })
  fetchedAt!: number;

  @Index('IDX_client_metadata_documents_expires_at')
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochSeconds })
  expiresAt!: number;
}
