import {
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';

/**
 * Compact JWS / JWT (RFC 7515 §7.1, RFC 7519 §7) for the server's OWN keys, on `node:crypto`'s synchronous
 * one-shot sign/verify. `jose` does the same through Web Crypto, which on Node costs about five times the
 * CPU per ES256 signature (an async job per call); signing and verifying our own tokens is on every token,
 * introspection and userinfo request. Keys of clients (`private_key_jwt`, RFC 7523) are still verified by
 * `jose`. Only the two algorithms this server signs with are supported, each bound to its key type.
 */

/** JWS algorithms this server signs with (RFC 7518 §3.1). */
export type SigningAlg = 'ES256' | 'RS256';

const ALGS: Record<
  SigningAlg,
  { keyType: string; curve?: string; dsaEncoding?: 'ieee-p1363'; signatureBytes?: number }
> = {
  // RFC 7518 §3.4: ECDSA P-256 SHA-256, signature is R || S, 32 bytes each.
  ES256: { keyType: 'ec', curve: 'prime256v1', dsaEncoding: 'ieee-p1363', signatureBytes: 64 },
  // RFC 7518 §3.3: RSASSA-PKCS1-v1_5 SHA-256 (node's default padding for RSA keys).
  RS256: { keyType: 'rsa' },
};

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Why a compact JWT was refused; the message is for logs, never for clients. */
export class JwtError extends Error {
  override name = 'JwtError';
}

function params(alg: string): (typeof ALGS)[SigningAlg] {
  const p = Object.prototype.hasOwnProperty.call(ALGS, alg) ? ALGS[alg as SigningAlg] : undefined;
  if (!p) throw new JwtError(`unsupported JWS algorithm ${alg}`);
  return p;
}

function assertKeyFits(key: KeyObject, alg: string): KeyObject {
  const p = params(alg);
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType !== p.keyType || (p.curve !== undefined && curve !== p.curve)) {
    throw new JwtError(
      `key of type ${key.asymmetricKeyType}${curve ? `/${curve}` : ''} is not for ${alg}`,
    );
  }
  return key;
}

/** Imports a public JWK for `alg`; throws when the key type does not fit the algorithm. */
export function importPublicJwk(jwk: object, alg: string): KeyObject {
  return assertKeyFits(createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }), alg);
}

/** Imports a private JWK for `alg`; throws when the key type does not fit the algorithm. */
export function importPrivateJwk(jwk: object, alg: string): KeyObject {
  return assertKeyFits(createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' }), alg);
}

const encodeJson = (value: object) =>
  Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/**
 * Signs `payload` as a compact JWS with the protected header `header` (which must name `alg`). ES256 signs
 * synchronously (tens of microseconds, cheaper than a hop to the thread pool); RS256 signatures cost about
 * half a millisecond each, so they run on libuv's thread pool and do not hold up the event loop.
 */
export async function signCompactJwt(
  header: { alg: SigningAlg } & Record<string, unknown>,
  payload: Record<string, unknown>,
  privateKey: KeyObject,
): Promise<string> {
  const p = params(header.alg);
  const input = `${encodeJson(header)}.${encodeJson(payload)}`;
  const data = Buffer.from(input, 'ascii');
  const key = { key: privateKey, dsaEncoding: p.dsaEncoding };
  const signature =
    header.alg === 'RS256'
      ? await new Promise<Buffer>((resolve, reject) =>
          cryptoSign('sha256', data, key, (err, sig) => (err ? reject(err) : resolve(sig))),
        )
      : cryptoSign('sha256', data, key);
  return `${input}.${signature.toString('base64url')}`;
}

function decodeJsonObject(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new JwtError(`${what} is not base64url JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JwtError(`${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** The parts of a compact JWS, split and decoded but NOT verified. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
  payloadPart: string;
}

/** Splits a compact JWS (three non-empty base64url parts) and decodes its protected header. */
export function decodeCompactJwt(token: string): DecodedJwt {
  const parts = typeof token === 'string' ? token.split('.') : [];
  if (parts.length !== 3 || !parts.every((part) => BASE64URL.test(part))) {
    throw new JwtError('not a compact JWS');
  }
  return {
    header: decodeJsonObject(parts[0], 'JWS header'),
    signingInput: `${parts[0]}.${parts[1]}`,
    signature: Buffer.from(parts[2], 'base64url'),
    payloadPart: parts[1],
  };
}

/** `typ` values compare case-insensitively and without an `application/` prefix (RFC 7515 §4.1.9). */
function normalizeTyp(value: string): string {
  return value.toLowerCase().replace(/^application\//, '');
}

export interface JwtVerifyOptions {
  /** The one algorithm the key is for (RFC 8725 §3.1): the header must name exactly this one. */
  alg: string;
  issuer: string;
  audience?: string;
  typ?: string;
  clockToleranceSeconds: number;
  /** Current time, epoch seconds. */
  now: number;
  /**
   * Accept a past `exp` (still required and numeric): only for an `id_token_hint`, which OIDC
   * RP-Initiated Logout 1.0 §2 lets the OP accept after it expired. Never for credentials.
   */
  allowExpired?: boolean;
}

/**
 * Verifies a decoded compact JWT signed with `publicKey`, then its claims (RFC 7519 §7.2): the header `alg`
 * must equal `options.alg` (never `none`), no `crit` extensions (we issue none, so none are understood:
 * RFC 7515 §4.1.11), the signature, `typ` when asked, `iss` equal to the issuer, `aud` containing the
 * audience when asked, a numeric `exp` not past (with tolerance), and numeric `nbf` / `iat` when present,
 * `nbf` not in the future. Returns the claims; throws {@link JwtError}.
 */
export function verifyCompactJwt(
  jwt: DecodedJwt,
  publicKey: KeyObject,
  options: JwtVerifyOptions,
): Record<string, unknown> {
  const { header } = jwt;
  if (header.alg !== options.alg) throw new JwtError('unexpected JWS algorithm');
  if (header.crit !== undefined) throw new JwtError('unsupported crit header parameter');
  const p = params(options.alg);
  if (p.signatureBytes !== undefined && jwt.signature.length !== p.signatureBytes) {
    throw new JwtError('signature verification failed');
  }
  let valid: boolean;
  try {
    valid = cryptoVerify(
      'sha256',
      Buffer.from(jwt.signingInput, 'ascii'),
      { key: publicKey, dsaEncoding: p.dsaEncoding },
      jwt.signature,
    );
  } catch {
    valid = false;
  }
  if (!valid) throw new JwtError('signature verification failed');

  const claims = decodeJsonObject(jwt.payloadPart, 'JWT claims set');
  if (options.typ !== undefined) {
    if (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== normalizeTyp(options.typ)) {
      throw new JwtError('unexpected "typ" JWT header value');
    }
  }
  if (claims.iss !== options.issuer) throw new JwtError('unexpected "iss" claim value');
  if (options.audience !== undefined) {
    const aud = claims.aud;
    const ok =
      typeof aud === 'string'
        ? aud === options.audience
        : Array.isArray(aud) && aud.includes(options.audience);
    if (!ok) throw new JwtError('unexpected "aud" claim value');
  }
  const tolerance = options.clockToleranceSeconds;
  if (claims.iat !== undefined && typeof claims.iat !== 'number') {
    throw new JwtError('"iat" claim must be a number');
  }
  if (claims.nbf !== undefined) {
    if (typeof claims.nbf !== 'number') throw new JwtError('"nbf" claim must be a number');
    if (claims.nbf > options.now + tolerance) {
      throw new JwtError('"nbf" claim timestamp check failed');
    }
  }
  if (typeof claims.exp !== 'number') throw new JwtError('missing or non-numeric "exp" claim');
  if (!options.allowExpired && claims.exp <= options.now - tolerance) {
    throw new JwtError('"exp" claim timestamp check failed');
  }
  return claims;
}
