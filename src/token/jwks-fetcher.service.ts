import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { JSONWebKeySet } from 'jose';
import { isPrivateAddress } from './private-address.js';
import { TOKEN_SETTINGS } from './token.constants.js';
import type { TokenSettings } from './token.options.js';

/** Upper bound of cached documents, so that many clients cannot grow memory without limit. */
const MAX_CACHE_ENTRIES = 1000;
/** A forced refetch (unknown `kid`) happens at most this often per URI. */
const MIN_REFETCH_INTERVAL_MS = 10_000;

interface CacheEntry {
  jwks: JSONWebKeySet;
  fetchedAt: number;
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
 * - documents are cached for `JWKS_URI_CACHE_TTL` seconds; concurrent requests share one fetch.
 */
@Injectable()
export class JwksFetcher {
  private readonly logger = new Logger(JwksFetcher.name);
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<JSONWebKeySet>>();

  constructor(@Inject(TOKEN_SETTINGS) private readonly settings: TokenSettings) {}

  /**
   * The key set at `uri`: from the cache when fresh, else fetched. `refresh` asks for a new copy (the
   * assertion names a key the cached copy lacks: the client rotated its keys), rate limited per URI.
   */
  async get(uri: string, refresh = false): Promise<JSONWebKeySet> {
    const cached = this.cache.get(uri);
    const ttlMs = this.settings.jwksFetch.cacheTtlSeconds * 1000;
    const age = cached ? Date.now() - cached.fetchedAt : Infinity;
    if (cached && age < ttlMs && !(refresh && age >= MIN_REFETCH_INTERVAL_MS)) return cached.jwks;
    let pending = this.inflight.get(uri);
    if (!pending) {
      pending = this.fetchJwks(uri).finally(() => this.inflight.delete(uri));
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

  private async fetchJwks(uri: string): Promise<JSONWebKeySet> {
    const { allowPrivate, timeoutMs, maxBytes } = this.settings.jwksFetch;
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new JwksFetchError('jwks_uri is not a URL');
    }
    if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
      throw new JwksFetchError(`jwks_uri scheme ${url.protocol} refused (https only)`);
    }
    if (url.username || url.password) throw new JwksFetchError('jwks_uri carries credentials');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // IP literals never reach `lookup`, so they are checked here.
    if (isIP(host) && !allowPrivate && isPrivateAddress(host)) {
      throw new JwksFetchError(`jwks_uri address ${host} is loopback, private or reserved`);
    }
    const body = await new Promise<string>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(
        url,
        {
          method: 'GET',
          headers: { accept: 'application/jwk-set+json, application/json' },
          lookup: checkedLookup(allowPrivate),
          timeout: timeoutMs,
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res: IncomingMessage) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(new JwksFetchError(`jwks_uri answered HTTP ${res.statusCode}`));
            return;
          }
          const declared = Number(res.headers['content-length'] ?? 0);
          if (declared > maxBytes) {
            res.destroy();
            reject(new JwksFetchError(`jwks_uri document exceeds ${maxBytes} bytes`));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              res.destroy();
              reject(new JwksFetchError(`jwks_uri document exceeds ${maxBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new JwksFetchError('jwks_uri fetch timed out')));
      req.on('error', (e) =>
        reject(e instanceof JwksFetchError ? e : new JwksFetchError(e.message)),
      );
      req.end();
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
    this.logger.debug(`Fetched jwks_uri ${url.origin}${url.pathname}`);
    return doc as JSONWebKeySet;
  }
}

/**
 * A socket `lookup` that resolves every address of the host and refuses the connection when any of them
 * is private (a host name with one public and one private address is refused: the attacker chooses which
 * one the socket would use).
 */
function checkedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      if (addresses.length === 0) {
        return callback(new JwksFetchError(`${hostname} has no address`), '', 0);
      }
      const refused = addresses.find((a) => isPrivateAddress(a.address));
      if (refused && !allowPrivate) {
        return callback(
          new JwksFetchError(`jwks_uri host resolves to a private address (${refused.address})`),
          '',
          0,
        );
      }
      const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
      const usable = wanted ? addresses.filter((a) => a.family === wanted) : addresses;
      if (usable.length === 0) {
        return callback(new JwksFetchError(`${hostname} has no IPv${wanted} address`), '', 0);
      }
      if (options.all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
        return;
      }
      callback(null, usable[0].address, usable[0].family);
    });
  };
}
