import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isPrivateAddress } from './private-address.js';

/** Why a server-side fetch of a client-chosen URL was refused or failed; logged, never sent to clients. */
export class OutboundFetchError extends Error {}

/** Limits of one outbound GET (RFC 9700 §4.15: a server-side fetch of a client-supplied URL). */
export interface OutboundFetchOptions {
  /** Loopback, private and link-local targets, and plain http, allowed (tests, internal networks). */
  allowPrivate: boolean;
  timeoutMs: number;
  maxBytes: number;
  /** The `Accept` header. */
  accept: string;
  /** What is fetched, at the start of every error message (`jwks_uri`, `client_id metadata document`). */
  label: string;
  /** Builds the error thrown (each caller keeps its own error class). */
  error?: (message: string) => Error;
}

/** A 200 response: its body (UTF-8) and headers. */
export interface OutboundResponse {
  body: string;
  headers: IncomingHttpHeaders;
}

/**
 * GETs `uri` with the protections a server-side fetch of a client-chosen URL needs (RFC 9700 §4.15, SSRF):
 *
 * - `https` only, unless `allowPrivate`; no credentials in the URL;
 * - every address the host name resolves to is checked, and the connection goes to a checked address
 *   (the check sits in the socket's `lookup`, so DNS rebinding between check and connect is impossible);
 *   loopback, private and link-local addresses are refused unless `allowPrivate`; IP literals likewise;
 * - no redirects (any status but 200 fails), a timeout and a size limit (declared and streamed).
 */
export async function fetchOutbound(
  uri: string,
  o: OutboundFetchOptions,
): Promise<OutboundResponse> {
  const build = o.error ?? ((m: string) => new OutboundFetchError(m));
  // Errors made here pass through the socket's error event unchanged; any other is wrapped.
  const own = new WeakSet<Error>();
  const fail = (m: string): Error => {
    const e = build(m);
    own.add(e);
    return e;
  };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw fail(`${o.label} is not a URL`);
  }
  if (url.protocol !== 'https:' && !(o.allowPrivate && url.protocol === 'http:')) {
    throw fail(`${o.label} scheme ${url.protocol} refused (https only)`);
  }
  if (url.username || url.password) throw fail(`${o.label} carries credentials`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // IP literals never reach `lookup`, so they are checked here.
  if (isIP(host) && !o.allowPrivate && isPrivateAddress(host)) {
    throw fail(`${o.label} address ${host} is loopback, private or reserved`);
  }
  return new Promise<OutboundResponse>((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'GET',
        headers: { accept: o.accept },
        lookup: checkedLookup(o.allowPrivate, o.label, fail),
        timeout: o.timeoutMs,
        signal: AbortSignal.timeout(o.timeoutMs),
      },
      (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(fail(`${o.label} answered HTTP ${res.statusCode}`));
          return;
        }
        const declared = Number(res.headers['content-length'] ?? 0);
        if (declared > o.maxBytes) {
          res.destroy();
          reject(fail(`${o.label} document exceeds ${o.maxBytes} bytes`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > o.maxBytes) {
            res.destroy();
            reject(fail(`${o.label} document exceeds ${o.maxBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(fail(`${o.label} fetch timed out`)));
    req.on('error', (e) => reject(own.has(e) ? e : fail(e.message)));
    req.end();
  });
}

/**
 * A socket `lookup` that resolves every address of the host and refuses the connection when any of them
 * is private (a host name with one public and one private address is refused: the attacker chooses which
 * one the socket would use). Exported for the non-GET outbound requests that need the same guard
 * (back-channel logout deliveries, OIDC Back-Channel Logout 1.0 §2.5); `fail` builds the error (by default
 * an {@link OutboundFetchError}).
 */
export function checkedLookup(
  allowPrivate: boolean,
  label: string,
  fail: (m: string) => Error = (m) => new OutboundFetchError(m),
): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      if (addresses.length === 0) return callback(fail(`${hostname} has no address`), '', 0);
      const refused = addresses.find((a) => isPrivateAddress(a.address));
      if (refused && !allowPrivate) {
        return callback(
          fail(`${label} host resolves to a private address (${refused.address})`),
          '',
          0,
        );
      }
      const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
      const usable = wanted ? addresses.filter((a) => a.family === wanted) : addresses;
      if (usable.length === 0) {
        return callback(fail(`${hostname} has no IPv${wanted} address`), '', 0);
      }
      if (options.all) {
        (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
        return;
      }
      callback(null, usable[0].address, usable[0].family);
    });
  };
}
