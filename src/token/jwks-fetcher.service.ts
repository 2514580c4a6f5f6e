import { Inject, Injectable, Logger } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';
import { RateLimitService } from '../rate-limit/index.js';
import { fetchOutbound } from '../common/http/outbound-fetch.js';
import { TOKEN_SETTINGS } from './token.constants.js';
import type { TokenSettings } from './token.options.js';

/** Upper bound of cached documents (and of cached failures), so that many clients cannot grow memory. */
const MAX_CACHE_ENTRIES = 1000;
/** A forced refetch (unknown `kid`) happens at most this often per URI. */
const MIN_REFETCH_INTERVAL_MS = 10_000;
/**
 * A failed fetch is remembered this long per URI and answered from memory: otherwise every request with
 * an assertion of that client would send a new outbound GET (issue 7 item 10).
 */
export const JWKS_FAILURE_CACHE_MS = 30_000;
/** Window of `JWKS_URI_FETCH_LIMIT`, seconds. */
const FETCH_LIMIT_WINDOW_SECONDS = 60;

interface CacheEntry {
  jwks: JSONWebKeySet;
  fetchedAt: number;
}

interface FailureEntry {
  message: string;
  failedAt: number;
}

/** Why a `jwks_uri` could not be used; the message is logged, never sent to the client. */
export class JwksFetchError extends Error {}

/**
 * Fetches a client's `jwks_uri` (RFC 7591 §2) for `private_key_jwt` authentication (RFC 7523) with the
 * protections a server-side fetch of a client-chosen URL needs (RFC 9700 §4.15, SSRF):
 *
 * - `https` only, unless `JWKS_URI_ALLOW_PRIVATE=true` (tests, internal networks);
 * - every address the host name resolves to is checked, and the connection goes to a checked address
 *   (the check sits in the socket's `lookup`, so DNS rebinding between check and connect is impossible);
 *   loopback, private and link-local addresses are refused unless `JWKS_URI_ALLOW_PRIVATE=true`;
 * - no redirects, a timeout (`JWKS_URI_TIMEOUT_MS`) and a size limit (`JWKS_URI_MAX_BYTES`);
 * - documents are cached for `JWKS_URI_CACHE_TTL` seconds; concurrent requests share one fetch;
 * - a failure is cached for {@link JWKS_FAILURE_CACHE_MS} per URI, and each client may cause at most
 *   `JWKS_URI_FETCH_LIMIT` fetches per minute (counted in the database, so across instances): a client
 *   cannot turn the server into a source of outbound requests by sending assertions, nor by changing
 *   its `jwks_uri` between them.
 */
@Injectable()
export class JwksFetcher {
  private readonly logger = new Logger(JwksFetcher.name);
  private readonly cache = new Map<string, CacheEntry>();
  private readonly failures = new Map<string, FailureEntry>();
  private readonly inflight = new Map<string, Promise<JSONWebKeySet>>();

  constructor(
    @Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings,
    private readonly rateLimit: RateLimitService,
  ) {}

  /**
   * The key set at `uri`: from the cache when fresh, else fetched. `refresh` asks for a new copy (the
   * assertion names a key the cached copy lacks: the client rotated its keys), rate limited per URI.
   * `clientId` is the client whose `jwks_uri` this is; its fetches count against `JWKS_URI_FETCH_LIMIT`.
   */
  async get(uri: string, refresh = false, clientId?: string): Promise<JSONWebKeySet> {
    const cached = this.cache.get(uri);
    const ttlMs = this.settings.jwksFetch.cacheTtlSeconds * 1000;
    const age = cached ? Date.now() - cached.fetchedAt : Infinity;
    if (cached && age < ttlMs && !(refresh && age >= MIN_REFETCH_INTERVAL_MS)) return cached.jwks;
    const failure = this.failures.get(uri);
    if (failure && Date.now() - failure.failedAt < JWKS_FAILURE_CACHE_MS) {
      throw new JwksFetchError(`${failure.message} (failed recently; not fetched again yet)`);
    }
    let pending = this.inflight.get(uri);
    if (!pending) {
      if (clientId !== undefined && !(await this.withinFetchLimit(clientId))) {
        // A refetch over budget keeps using the copy we have; without one there is nothing to use.
        if (cached && ttlMs > 0) return cached.jwks;
        throw new JwksFetchError('jwks_uri fetch limit of the client reached');
      }
      pending = this.fetchRemembered(uri).finally(() => this.inflight.delete(uri));
      this.inflight.set(uri, pending);
    }
    const jwks = await pending;
    if (ttlMs > 0) {
      if (this.cache.size >= MAX_CACHE_ENTRIES) {
        const oldest = this.cache.keys().next().value;
        if (oldest !== undefined) this.cache.delete(oldest);
      }
      this.cache.delete(uri);
      this.cache.set(uri, { jwks, fetchedAt: Date.now() });
    }
    return jwks;
  }

  /** Counts one outbound fetch for `clientId` (`JWKS_URI_FETCH_LIMIT` per minute, 0 = unlimited). */
  private async withinFetchLimit(clientId: string): Promise<boolean> {
    const limit = this.settings.jwksFetch.fetchLimitPerMinute;
    if (limit <= 0) return true;
    const result = await this.rateLimit.hit(
      `jwks-fetch:client:${clientId}`,
      limit,
      FETCH_LIMIT_WINDOW_SECONDS,
    );
    if (!result.allowed) this.logger.warn(`jwks_uri fetch limit reached for client ${clientId}`);
    return result.allowed;
  }

  /** {@link fetchJwks}, remembering a failure for {@link JWKS_FAILURE_CACHE_MS}. */
  private async fetchRemembered(uri: string): Promise<JSONWebKeySet> {
    try {
      const jwks = await this.fetchJwks(uri);
      this.failures.delete(uri);
      return jwks;
    } catch (e) {
      if (this.failures.size >= MAX_CACHE_ENTRIES) {
        const oldest = this.failures.keys().next().value;
        if (oldest !== undefined) this.failures.delete(oldest);
      }
      this.failures.delete(uri);
      const message = e instanceof Error ? e.message : String(e);
      this.failures.set(uri, { message, failedAt: Date.now() });
      throw e;
    }
  }

  private async fetchJwks(uri: string): Promise<JSONWebKeySet> {
    const { allowPrivate, timeoutMs, maxBytes } = this.settings.jwksFetch;
    const { body } = await fetchOutbound(uri, {
      allowPrivate,
      timeoutMs,
      maxBytes,
      accept: 'application/jwk-set+json, application/json',
      label: 'jwks_uri',
      error: (m) => new JwksFetchError(m),
    });
    let doc: unknown;
    try {
      doc = JSON.parse(body);
    } catch {
      throw new JwksFetchError('jwks_uri document is not JSON');
    }
    if (
      typeof doc !== 'object' ||
      doc === null ||
      !Array.isArray((doc as { keys?: unknown }).keys)
    ) {
      throw new JwksFetchError('jwks_uri document is not a JWK Set');
    }
    this.logger.debug(`Fetched jwks_uri ${uri.split('?')[0]}`);
    return doc as JSONWebKeySet;
  }
}
