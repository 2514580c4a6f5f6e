import * as oauth from 'oauth4webapi';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

// Standard client libraries register against the running server with its DEFAULT settings (discovery
// advertises the flat RFC 7591 endpoint), then read the registration back with the registration access
// token (RFC 7592 §2.1).
describe(`interoperability of dynamic registration (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let serverMetadata: oauth.AuthorizationServer;
  beforeAll(async () => {
    t = await createTestApp();
    serverMetadata = {
      issuer: t.url,
      registration_endpoint: `${t.url}/connect/register`,
      authorization_endpoint: `${t.url}/api/v1/oauth/authorize`,
      token_endpoint: `${t.url}/api/v1/oauth/token`,
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  /**
   * Uses the server's discovery document when it serves one (RFC 8414); otherwise hands the libraries
   * the same metadata explicitly, so this suite tests registration whether or not discovery is mounted.
   */
  const fetchWithDiscoveryFallback: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (res.status === 404 && url.includes('/.well-known/')) {
      return Response.json(serverMetadata);
    }
    return res;
  };

  const readBack = async (uri: string, token: string) => {
    const res = await fetch(uri, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };

  it('oauth4webapi discovers the server, registers a public client and reads it back', async () => {
    const issuer = new URL(t.url);
    const as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true }),
    );
    expect(as.registration_endpoint).toBe(`${t.url}/connect/register`);
    const response = await oauth.dynamicClientRegistrationRequest(
      as,
      {
        redirect_uris: ['http://127.0.0.1:8765/callback'],
        token_endpoint_auth_method: 'none',
        client_name: 'oauth4webapi client',
        application_type: 'native',
      },
      { [oauth.allowInsecureRequests]: true },
    );
    const registered = await oauth.processDynamicClientRegistrationResponse(response);
    expect(registered.client_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(registered.client_secret).toBeUndefined();
    const uri = registered.registration_client_uri as string;
    expect(uri).toBe(`${t.url}/connect/register/${registered.client_id}`);
    const read = await readBack(uri, registered.registration_access_token as string);
    expect(read).toMatchObject({
      client_id: registered.client_id,
      client_name: 'oauth4webapi client',
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1:8765/callback'],
    });
  });

  it('openid-client registers a confidential client and reads it back', async () => {
    const config = await client.dynamicClientRegistration(
      new URL(t.url),
      {
        redirect_uris: ['https://rp.example.com/cb'],
        grant_types: ['authorization_code', 'refresh_token'],
        client_name: 'openid-client RP',
        scope: 'openid email',
      },
      undefined,
      { execute: [client.allowInsecureRequests], [client.customFetch]: fetchWithDiscoveryFallback },
    );
    const metadata = config.clientMetadata();
    expect(metadata.client_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(metadata.client_secret).toMatch(/^sec_/);
    expect(config.serverMetadata().registration_endpoint).toBe(`${t.url}/connect/register`);
    const read = await readBack(
      metadata.registration_client_uri as string,
      metadata.registration_access_token as string,
    );
    expect(read).toMatchObject({
      client_id: metadata.client_id,
      client_name: 'openid-client RP',
      scope: 'openid email',
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(read).not.toHaveProperty('client_secret');
  });
});
