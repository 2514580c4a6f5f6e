import type { CryptoKey } from 'jose';
import { KeyStoreService, type SigningAlg } from '../../src/keys/index.js';

type KeyPair = { publicKey: CryptoKey; privateKey: CryptoKey };
type NewKeyPair = (this: KeyStoreService, alg: SigningAlg) => Promise<KeyPair>;

/**
 * Test speed only: RSA-2048 key generation costs more CPU than booting a test app, and almost every app
 * of the e2e suite creates an RS256 key (discovery and the JWK Set make one for every supported
 * algorithm). This hands the n-th RS256 key pair generated for a database to the n-th generation of
 * every other database too, so a worker generates as many RSA pairs as its busiest database needs, not
 * one per app.
 *
 * What a test can see is unchanged: every database still gets a different pair at each generation
 * (instances sharing a database count together), the pairs come from the real generation, and ES256
 * pairs (cheap) and the CLI processes are not pooled. Two apps with different databases may hold the
 * same RSA key; their issuers differ, so a token of one is still not accepted by the other.
 */
export function poolRsaKeyPairs(): void {
  const proto = KeyStoreService.prototype as unknown as { newKeyPair: NewKeyPair };
  const real = proto.newKeyPair;
  if ((real as { pooled?: true }).pooled) return;
  const pairs: Promise<KeyPair>[] = [];
  const used = new Map<string, number>();
  const pooled: NewKeyPair = function (alg) {
    if (alg !== 'RS256') return real.call(this, alg);
    const options = (this as unknown as { dataSource: { options: { database?: unknown } } })
      .dataSource.options;
    const db = String(options.database);
    const n = used.get(db) ?? 0;
    used.set(db, n + 1);
    pairs[n] ??= real.call(this, alg);
    return pairs[n];
  };
  (pooled as { pooled?: true }).pooled = true;
  proto.newKeyPair = pooled;
}
