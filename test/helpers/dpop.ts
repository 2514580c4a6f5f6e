import { createHash, randomBytes } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';

/** DPoP (RFC 9449) test helpers: a proof key and hand-made proofs, each part overridable. */

export interface ProofKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
  alg: string;
}

export async function proofKey(alg = 'ES256'): Promise<ProofKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, publicKey, jwk: await exportJWK(publicKey), alg };
}

/** A DPoP proof (RFC 9449 §4.2); every part can be overridden to build a broken one. */
export async function proof(
  key: ProofKey,
  htu: string,
  over: {
    htm?: string;
    iat?: number;
    jti?: string;
    typ?: string;
    jwk?: JWK;
    signer?: CryptoKey;
    ath?: string;
    nonce?: unknown;
  } = {},
): Promise<string> {
  return new SignJWT({
    htm: over.htm ?? 'POST',
    htu,
    jti: over.jti ?? randomBytes(16).toString('base64url'),
    iat: over.iat ?? Math.floor(Date.now() / 1000),
    ...(over.ath === undefined ? {} : { ath: over.ath }),
    ...(over.nonce === undefined ? {} : { nonce: over.nonce }),
  })
    .setProtectedHeader({ alg: key.alg, typ: over.typ ?? 'dpop+jwt', jwk: over.jwk ?? key.jwk })
    .sign(over.signer ?? key.privateKey);
}

/** RFC 9449 §4.2 `ath`: base64url SHA-256 of the access token. */
export function ath(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
