import { calculateJwkThumbprint, exportJWK } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationCodeEntity } from '../src/token/entities/authorization-code.entity.js';
import { sha256Hex } from '../src/common/crypto/tokens.js';
import { seedClient, type SeededClient } from './helpers/clients.js';
import { proof, proofKey, type ProofKey } from './helpers/dpop.js';
import { authorize, createUser } from './helpers/login-flow.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { basic, pkce, postForm } from './helpers/token-flow.js';

const PAR_PATH = '/api/v1/oauth/pushed-authorization';
const TOKEN_PATH = '/api/v1/oauth/token';
const REDIRECT = 'https://app.example.com/callback';

/**
 * RFC 9449 §10: authorization codes bound to a DPoP key, by the `dpop_jkt` parameter at /oauth/authorize
 * or at the PAR endpoint, or by a DPoP proof sent with the pushed request (§10.1). Through the real login
 * and consent pages; the bound code is redeemed only with a proof by that key.
 */
describe(`DPoP authorization code binding, RFC 9449 §10 (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let client: SeededClient;
  let user: Awaited<ReturnType<typeof createUser>>;
  let key: ProofKey;
  let otherKey: ProofKey;
  let jkt: string;

  beforeAll(async () => {
    t = await createTestApp();
    client = await seedClient(t);
    user = await createUser(t);
    key = await proofKey();
    otherKey = await proofKey();
    jkt = await calculateJwkThumbprint(key.jwk, 'sha256');
  });
  afterAll(async () => {
    await t?.close();
  });

  const auth = () => basic(client.clientId, client.clientSecret!);

  /** A code through the real pages for an authorization request with `extra` parameters. */
  async function codeFor(extra: Record<string, string>) {
    const { verifier, challenge } = pkce();
    const flow = await authorize(
      t,
      {
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        ...extra,
      },
      user,
    );
    expect(flow.error, flow.errorDescription).toBeUndefined();
    return { code: flow.code!, verifier };
  }

  /** A code through a pushed request (with `dpop` as its `DPoP` header, if given) and the pages. */
  async function pushedCodeFor(extra: Record<string, string>, dpop?: string) {
    const { verifier, challenge } = pkce();
    const req = postForm(
      t,
      {
        response_type: 'code',
        redirect_uri: REDIRECT,
        scope: 'openid',
        code_challenge: challenge,
        code_challenge_method: 'S256',
        ...extra,
      },
      { path: PAR_PATH, auth: auth() },
    );
    if (dpop !== undefined) void req.set('DPoP', dpop);
    const pushed = await req;
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(201);
    const flow = await authorize(
      t,
      { client_id: client.clientId, request_uri: pushed.body.request_uri as string },
      user,
    );
    expect(flow.error, flow.errorDescription).toBeUndefined();
    return { code: flow.code!, verifier };
  }

  /** The code exchange, with a proof by `by` when given. */
  async function exchange(code: string, verifier: string, by?: ProofKey) {
    const req = postForm(
      t,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier },
      { auth: auth() },
    );
    if (by) void req.set('DPoP', await proof(by, `${t.url}${TOKEN_PATH}`));
    return req;
  }

  const storedCode = (code: string) =>
    t.dataSource
      .getRepository(AuthorizationCodeEntity)
      .findOneByOrFail({ codeHash: sha256Hex(code) });

  it('binds the code to dpop_jkt of /oauth/authorize: redeemed with a proof by that key only', async () => {
    const { code, verifier } = await codeFor({ dpop_jkt: jkt });
    expect((await storedCode(code)).dpopJkt).toBe(jkt);

    // Without a proof, and with another key's: refused, and the code is not spent by either.
    expectOAuthError(await exchange(code, verifier), 400, 'invalid_dpop_proof');
    const wrongKey = await exchange(code, verifier, otherKey);
    expectOAuthError(wrongKey, 400, 'invalid_grant');
    expect(wrongKey.body.error_description).toContain('another DPoP key');
    expect((await storedCode(code)).consumedAt).toBeNull();

    const ok = await exchange(code, verifier, key);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.token_type).toBe('DPoP');
  });

  it('refuses a malformed dpop_jkt with invalid_request, sent back to the client (RFC 6749 §4.1.2.1)', async () => {
    const { challenge } = pkce();
    for (const bad of ['short', `${jkt}=`, `${jkt.slice(0, 42)}+`]) {
      const flow = await authorize(
        t,
        {
          response_type: 'code',
          client_id: client.clientId,
          redirect_uri: REDIRECT,
          scope: 'openid',
          code_challenge: challenge,
          code_challenge_method: 'S256',
          dpop_jkt: bad,
        },
        user,
      );
      expect(flow.error).toBe('invalid_request');
      expect(flow.errorDescription).toContain('dpop_jkt');
    }
  });

  it('leaves a code without dpop_jkt unbound: redeemed with or without a proof', async () => {
    const plain = await codeFor({});
    expect((await storedCode(plain.code)).dpopJkt).toBeNull();
    const res = await exchange(plain.code, plain.verifier);
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe('Bearer');
  });

  it('binds the code to the key of a DPoP proof sent with the pushed request (§10.1)', async () => {
    const par = await proof(key, `${t.url}${PAR_PATH}`);
    const { code, verifier } = await pushedCodeFor({}, par);
    expect((await storedCode(code)).dpopJkt).toBe(jkt);
    expectOAuthError(await exchange(code, verifier, otherKey), 400, 'invalid_grant');
    const ok = await exchange(code, verifier, key);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.token_type).toBe('DPoP');
  });

  it('accepts dpop_jkt at the PAR endpoint, alone or with a proof by the same key', async () => {
    const alone = await pushedCodeFor({ dpop_jkt: jkt });
    expect((await storedCode(alone.code)).dpopJkt).toBe(jkt);
    const both = await pushedCodeFor({ dpop_jkt: jkt }, await proof(key, `${t.url}${PAR_PATH}`));
    expect((await storedCode(both.code)).dpopJkt).toBe(jkt);
    expect((await exchange(both.code, both.verifier, key)).status).toBe(200);
  });

  it('refuses a pushed request whose dpop_jkt and proof name different keys, or whose proof is bad', async () => {
    const { challenge } = pkce();
    const form = {
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    const push = (extra: Record<string, string>, dpop: string) =>
      postForm(t, { ...form, ...extra }, { path: PAR_PATH, auth: auth() }).set('DPoP', dpop);

    const mismatch = await push({ dpop_jkt: jkt }, await proof(otherKey, `${t.url}${PAR_PATH}`));
    expectOAuthError(mismatch, 400, 'invalid_dpop_proof');
    expect(mismatch.body.error_description).toContain('dpop_jkt');
    // RFC 9449 §8.2: the answer to a request with a proof offers the nonce, errors included.
    expect(mismatch.headers['dpop-nonce']).toMatch(/^[A-Za-z0-9_-]+$/);

    // A proof for another endpoint (htu), and a replayed one, are refused as at the token endpoint.
    const forToken = await proof(key, `${t.url}${TOKEN_PATH}`);
    expectOAuthError(await push({}, forToken), 400, 'invalid_dpop_proof');
    const once = await proof(key, `${t.url}${PAR_PATH}`);
    expect((await push({}, once)).status).toBe(201);
    expectOAuthError(await push({}, once), 400, 'invalid_dpop_proof');
  });

  it('works with oauth4webapi: DPoP at PAR binds the code, and the exchange with the same key passes', async () => {
    const issuer = new URL(t.url);
    const as = await oauth
      .discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true })
      .then((r) => oauth.processDiscoveryResponse(issuer, r));
    const rp: oauth.Client = { client_id: client.clientId };
    const clientAuth = oauth.ClientSecretBasic(client.clientSecret!);
    const keyPair = await oauth.generateKeyPair('ES256');
    const dpop = oauth.DPoP(rp, keyPair);
    const verifier = oauth.generateRandomCodeVerifier();
    const params = new URLSearchParams({
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const pushed = await oauth
      .pushedAuthorizationRequest(as, rp, clientAuth, params, {
        DPoP: dpop,
        [oauth.allowInsecureRequests]: true,
      })
      .then((r) => oauth.processPushedAuthorizationResponse(as, rp, r));
    const flow = await authorize(
      t,
      { client_id: client.clientId, request_uri: pushed.request_uri },
      user,
    );
    expect(flow.error, flow.errorDescription).toBeUndefined();
    const bound = await storedCode(flow.code!);
    expect(bound.dpopJkt).toBe(
      await calculateJwkThumbprint(await exportJWK(keyPair.publicKey), 'sha256'),
    );

    const callback = oauth.validateAuthResponse(as, rp, flow.location, oauth.expectNoState);
    const tokens = await oauth
      .authorizationCodeGrantRequest(as, rp, clientAuth, callback, REDIRECT, verifier, {
        DPoP: dpop,
        [oauth.allowInsecureRequests]: true,
      })
      .then((r) => oauth.processAuthorizationCodeResponse(as, rp, r));
    expect(tokens.token_type).toBe('dpop');
  });
});
