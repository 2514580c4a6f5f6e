import { createHash } from 'node:crypto';
import http from 'node:http';
import { calculateJwkThumbprint, decodeJwt, exportJWK, SignJWT, type JWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../src/common/crypto/tokens.js';
import { RefreshTokenEntity } from '../src/token/entities/refresh-token.entity.js';
import { seedClient } from './helpers/clients.js';
import { proof, proofKey, type ProofKey } from './helpers/dpop.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import {
  basic,
  createUser,
  introspect,
  issueCode,
  pkce,
  postForm,
  TOKEN_PATH,
  type User,
} from './helpers/token-flow.js';

const REFRESH_PATH = '/api/v1/oauth/refresh';

describe(`DPoP at the token endpoint, RFC 9449 (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let user: User;
  let tokenUrl: string;
  let cc: { clientId: string; clientSecret?: string };

  /** A public client's authorization code (openid, offline_access) exchanged with a DPoP proof by `key`. */
  async function exchangeBoundCode(key: ProofKey) {
    const pub = await seedClient(t, { tokenEndpointAuthMethod: 'none' });
    const { verifier, challenge } = pkce();
    const code = await issueCode(t, {
      clientId: pub.clientId,
      userId: user.id,
      codeChallenge: challenge,
      codeChallengeMethod: 'S256',
    });
    const res = await postForm(t, {
      grant_type: 'authorization_code',
      code,
      client_id: pub.clientId,
      redirect_uri: 'https://app.example.com/callback',
      code_verifier: verifier,
    }).set('DPoP', await proof(key, tokenUrl));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.token_type).toBe('DPoP');
    return { clientId: pub.clientId, res };
  }

  const ccForm = { grant_type: 'client_credentials' };
  const ccPost = (dpop?: string) => {
    const req = postForm(t, ccForm, { auth: basic(cc.clientId, cc.clientSecret!) });
    if (dpop !== undefined) void req.set('DPoP', dpop);
    return req;
  };

  beforeAll(async () => {
    t = await createTestApp();
    user = await createUser(t);
    tokenUrl = `${t.url}${TOKEN_PATH}`;
    cc = await seedClient(t, { grantTypes: ['client_credentials'], scope: 'read' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('advertises dpop_signing_alg_values_supported (RFC 9449 §5.1)', async () => {
    const res = await fetch(`${t.url}/.well-known/oauth-authorization-server`);
    const meta = (await res.json()) as Record<string, unknown>;
    expect(meta.dpop_signing_alg_values_supported).toEqual([
      'ES256',
      'RS256',
      'PS256',
      'EdDSA',
      'Ed25519',
    ]);
  });

  it('binds a client_credentials token with oauth4webapi: token_type DPoP, cnf.jkt', async () => {
    const opts = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(
      new URL(t.url),
      await oauth.discoveryRequest(new URL(t.url), { algorithm: 'oauth2', ...opts }),
    );
    const c: oauth.Client = { client_id: cc.clientId };
    const keyPair = await oauth.generateKeyPair('ES256');
    const DPoP = oauth.DPoP(c, keyPair);
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      c,
      await oauth.clientCredentialsGrantRequest(
        as,
        c,
        oauth.ClientSecretBasic(cc.clientSecret!),
        new URLSearchParams(),
        { ...opts, DPoP },
      ),
    );
    expect(tokens.token_type).toBe('dpop');
    const claims = decodeJwt(tokens.access_token);
    expect(claims.cnf).toEqual({ jkt: await DPoP.calculateThumbprint() });
  });

  for (const alg of ['RS256', 'PS256', 'EdDSA', 'Ed25519']) {
    it(`accepts a proof signed with ${alg}`, async () => {
      const key = await proofKey(alg);
      const res = await ccPost(await proof(key, tokenUrl));
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.token_type).toBe('DPoP');
      expect(decodeJwt(res.body.access_token as string).cnf).toEqual({
        jkt: await calculateJwkThumbprint(key.jwk),
      });
    });
  }

  it('introspection reports token_type DPoP and cnf.jkt (RFC 9449 §6.2)', async () => {
    const key = await proofKey();
    const res = await ccPost(await proof(key, tokenUrl));
    expect(res.status).toBe(200);
    const auth = basic(cc.clientId, cc.clientSecret!);
    const info = await introspect(t, res.body.access_token as string, auth);
    expect(info.body).toMatchObject({
      active: true,
      token_type: 'DPoP',
      cnf: { jkt: await calculateJwkThumbprint(key.jwk) },
    });
    const plain = await introspect(t, (await ccPost()).body.access_token as string, auth);
    expect(plain.body.token_type).toBe('Bearer');
    expect(plain.body.cnf).toBeUndefined();
  });

  it('issues Bearer tokens without a proof', async () => {
    const res = await ccPost();
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe('Bearer');
    expect(decodeJwt(res.body.access_token as string).cnf).toBeUndefined();
  });

  it('ignores the query of htu (RFC 9449 §4.3 item 9)', async () => {
    const key = await proofKey();
    const res = await ccPost(await proof(key, `${tokenUrl}?x=1#f`));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  });

  describe('refuses a bad proof with 400 invalid_dpop_proof', () => {
    it('bad signature', async () => {
      const key = await proofKey();
      const other = await proofKey();
      expectOAuthError(
        await ccPost(await proof(key, tokenUrl, { signer: other.privateKey })),
        400,
        'invalid_dpop_proof',
      );
    });

    it('replayed jti', async () => {
      const key = await proofKey();
      const p = await proof(key, tokenUrl);
      expect((await ccPost(p)).status).toBe(200);
      expectOAuthError(await ccPost(p), 400, 'invalid_dpop_proof');
    });

    it('wrong htu', async () => {
      const key = await proofKey();
      expectOAuthError(
        await ccPost(await proof(key, `${t.url}/api/v1/oauth/introspect`)),
        400,
        'invalid_dpop_proof',
      );
    });

    it('wrong htm', async () => {
      const key = await proofKey();
      expectOAuthError(
        await ccPost(await proof(key, tokenUrl, { htm: 'GET' })),
        400,
        'invalid_dpop_proof',
      );
    });

    it('old iat', async () => {
      const key = await proofKey();
      const iat = Math.floor(Date.now() / 1000) - 3600;
      expectOAuthError(
        await ccPost(await proof(key, tokenUrl, { iat })),
        400,
        'invalid_dpop_proof',
      );
    });

    it('iat in the future', async () => {
      const key = await proofKey();
      const iat = Math.floor(Date.now() / 1000) + 3600;
      expectOAuthError(
        await ccPost(await proof(key, tokenUrl, { iat })),
        400,
        'invalid_dpop_proof',
      );
    });

    it('private key in jwk', async () => {
      const key = await proofKey();
      const privateJwk = await exportJWK(key.privateKey);
      expectOAuthError(
        await ccPost(await proof(key, tokenUrl, { jwk: privateJwk })),
        400,
        'invalid_dpop_proof',
      );
    });

    it('wrong typ', async () => {
      const key = await proofKey();
      expectOAuthError(
        await ccPost(await proof(key, tokenUrl, { typ: 'JWT' })),
        400,
        'invalid_dpop_proof',
      );
    });

    it('symmetric alg', async () => {
      const secret = new Uint8Array(32).fill(7);
      const p = await new SignJWT({
        htm: 'POST',
        htu: tokenUrl,
        jti: 'x',
        iat: Math.floor(Date.now() / 1000),
      })
        .setProtectedHeader({
          alg: 'HS256',
          typ: 'dpop+jwt',
          jwk: { kty: 'oct', k: 'AAAA' } as JWK,
        })
        .sign(secret);
      expectOAuthError(await ccPost(p), 400, 'invalid_dpop_proof');
    });

    it('not a JWS', async () => {
      expectOAuthError(await ccPost('not-a-proof'), 400, 'invalid_dpop_proof');
    });

    it('two DPoP headers', async () => {
      const key = await proofKey();
      const [a, b] = [await proof(key, tokenUrl), await proof(key, tokenUrl)];
      const body = new URLSearchParams(ccForm).toString();
      const res = await new Promise<{ status: number; body: Record<string, unknown> }>(
        (resolve, reject) => {
          const req = http.request(
            tokenUrl,
            {
              method: 'POST',
              headers: {
                'Content-Type': 'application/x-www-form-urlencoded',
                Authorization: basic(cc.clientId, cc.clientSecret!),
                DPoP: [a, b],
              },
            },
            (r) => {
              let data = '';
              r.on('data', (d: Buffer) => (data += d.toString()));
              r.on('end', () =>
                resolve({
                  status: r.statusCode!,
                  body: JSON.parse(data) as Record<string, unknown>,
                }),
              );
            },
          );
          req.on('error', reject);
          req.end(body);
        },
      );
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('invalid_dpop_proof');
    });
  });

  describe('refresh tokens of public clients are bound to the key (RFC 9449 §5)', () => {
    async function boundTokens(key: ProofKey) {
      const { clientId, res } = await exchangeBoundCode(key);
      const row = await t.dataSource
        .getRepository(RefreshTokenEntity)
        .findOneByOrFail({ tokenHash: sha256Hex(res.body.refresh_token as string) });
      expect(row.dpopJkt).toBe(await calculateJwkThumbprint(key.jwk));
      return { clientId, refresh: res.body.refresh_token as string };
    }

    it('refreshes with the same key, at /oauth/token and /oauth/refresh', async () => {
      const key = await proofKey();
      const { clientId, refresh } = await boundTokens(key);
      const one = await postForm(t, {
        grant_type: 'refresh_token',
        refresh_token: refresh,
        client_id: clientId,
      }).set('DPoP', await proof(key, tokenUrl));
      expect(one.status, JSON.stringify(one.body)).toBe(200);
      expect(one.body.token_type).toBe('DPoP');
      const two = await postForm(
        t,
        {
          grant_type: 'refresh_token',
          refresh_token: one.body.refresh_token as string,
          client_id: clientId,
        },
        { path: REFRESH_PATH },
      ).set('DPoP', await proof(key, `${t.url}${REFRESH_PATH}`));
      expect(two.status, JSON.stringify(two.body)).toBe(200);
      expect(decodeJwt(two.body.access_token as string).cnf).toEqual({
        jkt: await calculateJwkThumbprint(key.jwk),
      });
    });

    it('refuses a refresh with another key (invalid_grant)', async () => {
      const key = await proofKey();
      const { clientId, refresh } = await boundTokens(key);
      const res = await postForm(t, {
        grant_type: 'refresh_token',
        refresh_token: refresh,
        client_id: clientId,
      }).set('DPoP', await proof(await proofKey(), tokenUrl));
      expectOAuthError(res, 400, 'invalid_grant');
    });

    it('refuses a refresh without a proof (invalid_dpop_proof)', async () => {
      const key = await proofKey();
      const { clientId, refresh } = await boundTokens(key);
      const res = await postForm(t, {
        grant_type: 'refresh_token',
        refresh_token: refresh,
        client_id: clientId,
      });
      expectOAuthError(res, 400, 'invalid_dpop_proof');
    });
  });

  describe('userinfo with Authorization: DPoP (RFC 9449 §7.1)', () => {
    const boundAccessToken = async (key: ProofKey): Promise<string> =>
      (await exchangeBoundCode(key)).res.body.access_token as string;
    const userinfoUrl = () => `${t.url}/api/v1/oauth/userinfo`;
    const ath = (token: string) => createHash('sha256').update(token).digest('base64url');
    const call = (token: string, dpop: string) =>
      fetch(userinfoUrl(), { headers: { Authorization: `DPoP ${token}`, DPoP: dpop } });

    it('answers the claims for a proof by the bound key that names the token in ath', async () => {
      const key = await proofKey();
      const at = await boundAccessToken(key);
      const res = await call(at, await proof(key, userinfoUrl(), { htm: 'GET', ath: ath(at) }));
      expect(res.status).toBe(200);
      expect(((await res.json()) as { sub: string }).sub).toBe(user.id);
    });

    it('refuses a proof whose ath names another token: 401 invalid_dpop_proof with the DPoP challenge', async () => {
      const key = await proofKey();
      const at = await boundAccessToken(key);
      const res = await call(at, await proof(key, userinfoUrl(), { htm: 'GET', ath: ath('x') }));
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_dpop_proof');
      // RFC 9449 §7.1: the DPoP challenge names the error and the accepted algorithms; Bearer is offered too.
      const challenge = res.headers.get('www-authenticate')!;
      expect(challenge).toMatch(
        /^DPoP error="invalid_dpop_proof", error_description="[^"]+", algs="ES256 RS256 PS256 EdDSA Ed25519", Bearer$/,
      );
    });

    it('refuses a proof without ath, and one by another key', async () => {
      const key = await proofKey();
      const at = await boundAccessToken(key);
      const noAth = await call(at, await proof(key, userinfoUrl(), { htm: 'GET' }));
      expect(noAth.status).toBe(401);
      expect(((await noAth.json()) as { error: string }).error).toBe('invalid_dpop_proof');
      const other = await proofKey();
      const res = await call(at, await proof(other, userinfoUrl(), { htm: 'GET', ath: ath(at) }));
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
      expect(res.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token", /);
    });

    it('refuses the DPoP scheme without a proof', async () => {
      const key = await proofKey();
      const at = await boundAccessToken(key);
      const res = await fetch(userinfoUrl(), { headers: { Authorization: `DPoP ${at}` } });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: string }).error).toBe('invalid_dpop_proof');
    });
  });

  it('refuses a DPoP-bound access token used as Bearer at userinfo (RFC 9449 §7.1)', async () => {
    const { res: tokens } = await exchangeBoundCode(await proofKey());
    const res = await fetch(`${t.url}/api/v1/oauth/userinfo`, {
      headers: { Authorization: `Bearer ${tokens.body.access_token as string}` },
    });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_token');
    // The Bearer challenge names the error; the DPoP challenge tells the client what to use instead.
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer error="invalid_token", error_description="[^"]+", DPoP algs="ES256 RS256 PS256 EdDSA Ed25519"$/,
    );
  });
});
