import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { IncomingHttpHeaders } from 'node:http';
import { LessThan, type QueryDeepPartialEntity, type Repository } from 'typeorm';
import { nowSeconds, sha256Hex } from '../common/crypto/tokens.js';
import { fetchOutbound } from '../common/http/outbound-fetch.js';
import { OAuthError } from '../common/errors/oauth-error.js';
import { isPlainObject } from '../common/validation/text.js';
import {
  CLIENT_ID_METADATA_SETTINGS,
  type ClientIdMetadataSettings,
} from './client-id-metadata.options.js';
import {
  validateClientMetadata,
  type ClientMetadata,
  type ClientMetadataInput,
} from './client-metadata.validator.js';
import { metadataPipe } from './client-metadata.pipe.js';
import { ClientRegistrationRequest } from './dto/client-registration-request.dto.js';
import { ClientMetadataDocumentEntity } from './entities/client-metadata-document.entity.js';

/** The longest URL client_id: the `client_id` columns are VARCHAR(255). */
export const MAX_METADATA_URL_LENGTH = 255;
/** A failed fetch is remembered this long per URL (no outbound request per authorize or token call). */
export const METADATA_FAILURE_CACHE_MS = 30_000;
/** Upper bound of remembered failures, so that many URLs cannot grow memory. */
const MAX_FAILURES = 1000;
/** Expired rows are deleted at most this often per instance. */
const PURGE_INTERVAL_MS = 60_000;
/** Draft §4.1: these members are about shared secrets; a metadata document must not contain them. */
const SECRET_MEMBERS = ['client_secret', 'client_secret_expires_at'];

/** Why a metadata document was not accepted; logged (with the URL), never sent to the client. */
export class ClientMetadataDocumentError extends Error {}

/**
 * Client ID Metadata Documents (draft-ietf-oauth-client-id-metadata-document; the MCP authorization
 * specification's preferred client identification): a client_id that is an https URL with a path names
 * a JSON document of client metadata, which the server fetches and validates instead of a registration.
 *
 * - Which URLs: {@link isCandidate} (https, a path, no fragment, credentials or dot segments, at most 255
 *   characters) on a host the policy allows (`CLIENT_ID_METADATA_HOSTS`).
 * - Fetching: {@link fetchOutbound}, the SSRF-safe GET of `jwks_uri` (public addresses after DNS
 *   resolution, no redirects, size and time limits).
 * - Validation: the registration body pipe and `validateClientMetadata`, the very rules of
 *   registration; `client_id` must equal the URL; only `none` and `private_key_jwt` (no shared secret).
 * - Caching: the validated metadata is stored in `client_metadata_documents` for the document's HTTP
 *   lifetime (`Cache-Control: max-age`, `Expires`), bounded by the min/max TTL settings, so every instance
 *   sees the same client and the document is fetched once per lifetime, not per request.
 */
@Injectable()
export class ClientIdMetadataService {
  private readonly logger = new Logger(ClientIdMetadataService.name);
  private readonly failures = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<ClientMetadata | null>>();
  private lastPurge = 0;

  constructor(
    @InjectRepository(ClientMetadataDocumentEntity)
    private readonly repo: Repository<ClientMetadataDocumentEntity>,
    @Optional()
    @Inject(CLIENT_ID_METADATA_SETTINGS)
    private readonly settings?: ClientIdMetadataSettings,
  ) {}

  /** Whether the feature is on (discovery's `client_id_metadata_document_supported`). */
  get enabled(): boolean {
    return this.settings !== undefined && this.settings.hosts !== 'none';
  }

  /** Whether `clientId` is a URL this server resolves as a metadata document (draft §3, host policy). */
  isCandidate(clientId: string): boolean {
    const s = this.settings;
    if (!s || s.hosts === 'none' || clientId.length > MAX_METADATA_URL_LENGTH) return false;
    // Only the normalised (lower-case scheme) form can pass the `href` check below: a registered
    // client's ULID is refused here, without the URL parser's exception (tens of µs per request).
    if (!clientId.startsWith('https://') && !(s.allowPrivate && clientId.startsWith('http://'))) {
      return false;
    }
    let url: URL;
    try {
      url = new URL(clientId);
    } catch {
      return false;
    }
    if (url.protocol !== 'https:' && !(s.allowPrivate && url.protocol === 'http:')) return false;
    // Draft §3: a path component, no fragment, no credentials, no dot segments; compared as a string,
    // so only the normalised form is accepted.
    if (url.pathname === '/' || url.hash || url.username || url.password) return false;
    if (url.href !== clientId || /\/\.\.?(\/|$)/.test(clientId.split('?')[0])) return false;
    return hostAllowed(url, s.hosts);
  }

  /** The validated metadata of the document at `url` (cached or fetched), or null when unusable. */
  async resolve(url: string): Promise<ClientMetadata | null> {
    if (!this.isCandidate(url)) return null;
    const urlHash = sha256Hex(url);
    const now = nowSeconds();
    const row = await this.repo.findOne({ where: { urlHash } });
    if (row && row.expiresAt > now && row.clientId === url) return row.metadata;
    const failedAt = this.failures.get(url);
    if (failedAt !== undefined && Date.now() - failedAt < METADATA_FAILURE_CACHE_MS) return null;
    let pending = this.inflight.get(url);
    if (!pending) {
      pending = this.fetchAndStore(url, urlHash).finally(() => this.inflight.delete(url));
      this.inflight.set(url, pending);
    }
    return pending;
  }

  private async fetchAndStore(url: string, urlHash: string): Promise<ClientMetadata | null> {
    const s = this.settings!;
    let metadata: ClientMetadata;
    let ttl: number;
    try {
      const { body, headers } = await fetchOutbound(url, {
        allowPrivate: s.allowPrivate,
        timeoutMs: s.timeoutMs,
        maxBytes: s.maxBytes,
        accept: 'application/json',
        label: 'client_id metadata document',
        error: (m) => new ClientMetadataDocumentError(m),
      });
      metadata = await this.validate(url, body);
      ttl = lifetime(headers, s.minTtlSeconds, s.maxTtlSeconds);
    } catch (e) {
      this.rememberFailure(url);
      const reason = e instanceof OAuthError ? (e.description ?? e.error) : (e as Error).message;
      this.logger.warn(`Client ID Metadata Document ${url} refused: ${reason}`);
      return null;
    }
    this.failures.delete(url);
    const now = nowSeconds();
    if (ttl > 0) {
      // TypeORM's deep-partial type cannot express the JWK members (`Record<string, unknown>`).
      const row = { urlHash, clientId: url, metadata, fetchedAt: now, expiresAt: now + ttl };
      await this.repo.upsert(row as QueryDeepPartialEntity<ClientMetadataDocumentEntity>, [
        'urlHash',
      ]);
      this.maybePurge(now);
    }
    return metadata;
  }

  /** Draft §4: the registration rules, `client_id` equal to the URL, no shared-secret methods. */
  private async validate(url: string, body: string): Promise<ClientMetadata> {
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch {
      throw new ClientMetadataDocumentError('the document is not JSON');
    }
    if (!isPlainObject(doc)) throw new ClientMetadataDocumentError('the document is not an object');
    const members = doc;
    if (members.client_id !== url) {
      throw new ClientMetadataDocumentError('its client_id is not the URL it was fetched from');
    }
    const secret = SECRET_MEMBERS.find((m) => m in members);
    if (secret) throw new ClientMetadataDocumentError(`it contains ${secret} (draft §4.1)`);
    // A document that names no method is a public client (the RFC 7591 default, a shared secret, is
    // impossible here).
    const method = members.token_endpoint_auth_method ?? 'none';
    if (method !== 'none' && method !== 'private_key_jwt') {
      throw new ClientMetadataDocumentError(
        `token_endpoint_auth_method ${JSON.stringify(method).slice(0, 40)} is not allowed ` +
          '(only none and private_key_jwt: a metadata document cannot hold a shared secret)',
      );
    }
    const typed = (await metadataPipe.transform(
      { ...members, token_endpoint_auth_method: method },
      { type: 'body', metatype: ClientRegistrationRequest },
    )) as ClientMetadataInput;
    return validateClientMetadata(typed, this.settings!.rules);
  }

  private rememberFailure(url: string): void {
    if (this.failures.size >= MAX_FAILURES) {
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    this.failures.delete(url);
    this.failures.set(url, Date.now());
  }

  private maybePurge(now: number): void {
    if (Date.now() - this.lastPurge < PURGE_INTERVAL_MS) return;
    this.lastPurge = Date.now();
    this.repo.delete({ expiresAt: LessThan(now) }).catch((e: unknown) => {
      this.logger.warn(`Purging expired metadata documents failed: ${String(e)}`);
    });
  }
}

/** Host policy: `'*'` any host (the fetch itself refuses private addresses), or exact / `*.` patterns. */
function hostAllowed(url: URL, hosts: '*' | string[]): boolean {
  if (hosts === '*') return true;
  const hostname = url.hostname.toLowerCase();
  const host = url.host.toLowerCase();
  return hosts.some((pattern) => {
    const target = pattern.includes(':') ? host : hostname;
    if (pattern.startsWith('*.')) return target.endsWith(pattern.slice(1));
    return target === pattern;
  });
}

/**
 * The document's cache lifetime from its HTTP caching headers (RFC 9111 §4.2.1: `max-age`, else
 * `Expires` minus `Date`), clamped to `[min, max]`; `no-store` / `no-cache` and no header give `min`.
 */
export function lifetime(headers: IncomingHttpHeaders, min: number, max: number): number {
  const clamp = (n: number) => Math.min(max, Math.max(min, Math.floor(n)));
  const cc = String(headers['cache-control'] ?? '').toLowerCase();
  if (/(^|,)\s*(no-store|no-cache)\s*(,|$)/.test(cc)) return min;
  const maxAge = /(^|,)\s*max-age\s*=\s*"?(\d+)"?\s*(,|$)/.exec(cc);
  if (maxAge) return clamp(Number(maxAge[2]));
  const expires = Date.parse(String(headers.expires ?? ''));
  if (!Number.isNaN(expires)) {
    const date = Date.parse(String(headers.date ?? ''));
    return clamp((expires - (Number.isNaN(date) ? Date.now() : date)) / 1000);
  }
  return min;
}
