import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { base64url, decodeProtectedHeader, importJWK, jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  decodeCompactJwt,
  importPrivateJwk,
  importPublicJwk,
  JwtError,
  signCompactJwt,
  verifyCompactJwt,
  type JwtVerifyOptions,
  type SigningAlg,
} from './jwt.js';

const ISS = 'https://issuer.example';
const now = Math.floor(Date.now() / 1000);

function keysFor(alg: SigningAlg): { privateKey: KeyObject; publicKey: KeyObject } {
  return alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
}

const options = (alg: string, extra: Partial<JwtVerifyOptions> = {}): JwtVerifyOptions => ({
  alg,
  issuer: ISS,
  clockToleranceSeconds: 30,
  now,
  ...extra,
});

describe.each(['ES256', 'RS256'] as const)('compact JWT with node:crypto (%s)', (alg) => {
  const { privateKey, publicKey } = keysFor(alg);
  const claims = { iss: ISS, sub: 'usr_1', aud: 'client-1', iat: now, exp: now + 60 };

  it('signs tokens that jose verifies with the published JWK (interop)', async () => {
    const token = await signCompactJwt({ alg, kid: 'k1', typ: 'at+jwt' }, claims, privateKey);
    expect(decodeProtectedHeader(token)).toEqual({ alg, kid: 'k1', typ: 'at+jwt' });
    const jwk = publicKey.export({ format: 'jwk' });
    const { payload } = await jwtVerify(token, await importJWK(jwk, alg), {
      algorithms: [alg],
      issuer: ISS,
      typ: 'at+jwt',
    });
    expect(payload).toEqual(claims);
  });

  it('verifies tokens jose signed, and its own', async () => {
    const jwk = privateKey.export({ format: 'jwk' });
    const byJose = await new SignJWT(claims)
      .setProtectedHeader({ alg, kid: 'k1' })
      .sign(await importJWK(jwk, alg));
    expect(verifyCompactJwt(decodeCompactJwt(byJose), publicKey, options(alg))).toEqual(claims);
    const own = await signCompactJwt({ alg }, claims, privateKey);
    expect(
      verifyCompactJwt(decodeCompactJwt(own), publicKey, options(alg, { audience: 'client-1' })),
    ).toEqual(claims);
  });

  it('refuses another key, a tampered payload or signature, and a foreign alg', async () => {
    const token = await signCompactJwt({ alg }, claims, privateKey);
    const [h, p, s] = token.split('.');
    const other = keysFor(alg).publicKey;
    const forged = base64url.encode(JSON.stringify({ ...claims, sub: 'usr_admin' }));
    const cut = s.slice(0, -4);
    expect(() => verifyCompactJwt(decodeCompactJwt(token), other, options(alg))).toThrow(JwtError);
    for (const bad of [`${h}.${forged}.${s}`, `${h}.${p}.${cut}`]) {
      expect(() => verifyCompactJwt(decodeCompactJwt(bad), publicKey, options(alg))).toThrow(
        JwtError,
      );
    }
    const otherAlg = alg === 'ES256' ? 'RS256' : 'ES256';
    expect(() => verifyCompactJwt(decodeCompactJwt(token), publicKey, options(otherAlg))).toThrow(
      JwtError,
    );
  });
});

describe('compact JWT claims and header checks', () => {
  const { privateKey, publicKey } = keysFor('ES256');
  const base = { iss: ISS, sub: 'usr_1', exp: now + 60 };
  const verify = async (
    claims: Record<string, unknown>,
    extra: Partial<JwtVerifyOptions> = {},
    header: Record<string, unknown> = {},
  ) => {
    const token = await signCompactJwt({ alg: 'ES256', ...header }, claims, privateKey);
    return verifyCompactJwt(decodeCompactJwt(token), publicKey, options('ES256', extra));
  };

  it('checks iss, aud, exp, nbf and iat like RFC 7519 §4.1 with a clock tolerance', async () => {
    await expect(verify(base)).resolves.toEqual(base);
    await expect(verify({ ...base, exp: now - 5 })).resolves.toBeTruthy();
    await expect(
      verify({ ...base, aud: ['a', 'client-1'] }, { audience: 'client-1' }),
    ).resolves.toBeTruthy();
    const refused: [Record<string, unknown>, Partial<JwtVerifyOptions>?][] = [
      [{ ...base, iss: 'https://evil.example' }],
      [{ ...base, iss: undefined }],
      [{ ...base, exp: undefined }],
      [{ ...base, exp: String(now + 60) }],
      [{ ...base, exp: now - 30 }],
      [{ ...base, nbf: now + 31 }],
      [{ ...base, nbf: 'soon' }],
      [{ ...base, iat: 'now' }],
      [base, { audience: 'client-1' }],
      [{ ...base, aud: ['a', 'b'] }, { audience: 'client-1' }],
    ];
    for (const [claims, extra] of refused) {
      await expect(verify(claims, extra), JSON.stringify(claims)).rejects.toThrow(JwtError);
    }
  });

  it('compares typ without case or application/ prefix (RFC 7515 §4.1.9), refuses crit', async () => {
    await expect(
      verify(base, { typ: 'at+jwt' }, { typ: 'application/AT+JWT' }),
    ).resolves.toBeTruthy();
    await expect(verify(base, { typ: 'at+jwt' }, { typ: 'JWT' })).rejects.toThrow(JwtError);
    await expect(verify(base, { typ: 'at+jwt' })).rejects.toThrow(JwtError);
    await expect(verify(base, {}, { crit: ['exp'] })).rejects.toThrow(JwtError);
  });

  it('refuses junk before any signature work', () => {
    const good = `${base64url.encode('{"alg":"ES256"}')}.${base64url.encode('{}')}.c2ln`;
    for (const junk of [
      '',
      'a.b',
      'a.b.c.d',
      `${good.slice(0, -4)}`,
      'a+b.c.d',
      '.x.y',
      'e30.W10.c2ln',
    ]) {
      expect(() => {
        const jwt = decodeCompactJwt(junk);
        verifyCompactJwt(jwt, publicKey, options('ES256'));
      }, junk).toThrow(JwtError);
    }
    // A header that is JSON but not an object.
    expect(() => decodeCompactJwt(`${base64url.encode('[1]')}.e30.c2ln`)).toThrow(JwtError);
  });

  it('imports only keys that fit the algorithm', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = (k: KeyObject) => k.export({ format: 'jwk' });
    expect(importPublicJwk(jwk(ec.publicKey), 'ES256').asymmetricKeyType).toBe('ec');
    expect(importPrivateJwk(jwk(rsa.privateKey), 'RS256').asymmetricKeyType).toBe('rsa');
    expect(() => importPublicJwk(jwk(rsa.publicKey), 'ES256')).toThrow(JwtError);
    expect(() => importPublicJwk(jwk(p384.publicKey), 'ES256')).toThrow(JwtError);
    expect(() => importPublicJwk(jwk(ec.publicKey), 'RS256')).toThrow(JwtError);
    expect(() => importPublicJwk(jwk(ec.publicKey), 'none')).toThrow(JwtError);
  });
});
