import { readFileSync } from 'node:fs';
import { globalAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { auth, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, createUser } from './helpers/login-flow.js';
import { serveDocuments, TLS_CERT } from './helpers/metadata-documents.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';

const REDIRECT = 'http://127.0.0.1:33418/oauth/callback';

/**
 * An MCP client's OAuth state kept in memory, as the SDK's `OAuthClientProvider` interface asks. The
 * "redirect to the browser" step is recorded, and the test drives the real login and consent pages.
 */
class InMemoryMcpClient implements OAuthClientProvider {
  /** Set: the SDK uses this URL as client_id (Client ID Metadata Document) instead of registering. */
  clientMetadataUrl?: string;
  client?: OAuthClientInformationMixed;
  saved?: OAuthTokens;
  verifier = '';
  authorizationUrl?: URL;

  get redirectUrl(): string {
    return REDIRECT;
  }
  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'MCP SDK client',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      scope: 'openid profile offline_access',
    };
  }
  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.client;
  }
  saveClientInformation(info: OAuthClientInformationMixed): void {
    this.client = info;
  }
  tokens(): OAuthTokens | undefined {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens): void {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier: string): void {
    this.verifier = verifier;
  }
  codeVerifier(): string {
    return this.verifier;
  }
}

// The MCP TypeScript SDK's client authorization flow against the server's DEFAULT settings: discovery
// (RFC 8414), dynamic registration at the advertised endpoint (RFC 7591), the authorization code flow
// with PKCE through the real login and consent pages, the token exchange and a refresh.
describe(`interoperability with the MCP TypeScript SDK (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('registers dynamically through discovery, signs in through the pages and gets tokens', async () => {
    const user = await createUser(t);
    const mcp = new InMemoryMcpClient();
    const serverUrl = `${t.url}/mcp`;

    // Every request the SDK makes, to see which endpoints it found.
    const calls: string[] = [];
    const fetchFn: typeof fetch = (input, init) => {
      const target = input instanceof Request ? input.url : String(input);
      calls.push(`${init?.method ?? 'GET'} ${target}`);
      return fetch(input, init);
    };

    // 1. No client yet: the SDK discovers the server, registers, and sends the user to authorize.
    expect(await auth(mcp, { serverUrl, fetchFn })).toBe('REDIRECT');
    expect(calls).toContain(`POST ${t.url}/connect/register`);
    const client = mcp.client as Record<string, unknown>;
    expect(client.client_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(client).not.toHaveProperty('client_secret');
    const url = mcp.authorizationUrl!;
    expect(`${url.origin}${url.pathname}`).toBe(`${t.url}/api/v1/oauth/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');

    // 2. The browser part: the real login and consent forms, back to the client's redirect URI.
    const result = await authorize(t, Object.fromEntries(url.searchParams), user);
    expect(result.location.href.startsWith(REDIRECT)).toBe(true);
    expect(result.iss).toBe(t.url);
    expect(result.code).toBeDefined();

    // 3. Back in the client: the code is exchanged (PKCE verifier, public client).
    expect(await auth(mcp, { serverUrl, authorizationCode: result.code, fetchFn })).toBe(
      'AUTHORIZED',
    );
    const tokens = mcp.saved!;
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toMatch(/^rt_/);
    const info = await request(t.url)
      .get('/api/v1/oauth/userinfo')
      .auth(tokens.access_token, { type: 'bearer' })
      .expect(200);
    expect(info.body.sub).toBe(user.id);

    // 4. With a refresh token the SDK refreshes without another redirect (rotation: a new one).
    expect(await auth(mcp, { serverUrl })).toBe('AUTHORIZED');
    expect(mcp.saved!.access_token).not.toBe(tokens.access_token);
    expect(mcp.saved!.refresh_token).not.toBe(tokens.refresh_token);
  });
});

// The MCP SDK with a Client ID Metadata Document (the MCP authorization specification's preferred way):
// no registration, the client_id is the https URL of the client's metadata, which the server fetches
// from a local document server (CLIENT_ID_METADATA_ALLOW_PRIVATE=true, test only). The SDK accepts only
// https client_id URLs, so the document server uses the test-only certificate of test/fixtures/tls, which
// this test process (server included) trusts through Node's default https agent.
describe(`MCP TypeScript SDK with a Client ID Metadata Document (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  let docs: Awaited<ReturnType<typeof serveDocuments>>;
  const originalCa = globalAgent.options.ca;
  beforeAll(async () => {
    globalAgent.options.ca = [...rootCertificates, readFileSync(TLS_CERT, 'utf8')];
    docs = await serveDocuments({ https: true });
    t = await createTestApp({ env: { CLIENT_ID_METADATA_ALLOW_PRIVATE: 'true' } });
  });
  afterAll(async () => {
    globalAgent.options.ca = originalCa;
    await t?.close();
    await docs?.close();
  });

  it('uses the document URL as client_id, signs in through the pages and gets tokens', async () => {
    const user = await createUser(t);
    const mcp = new InMemoryMcpClient();
    mcp.clientMetadataUrl = docs.json('/mcp/client.json', (url) => ({
      client_id: url,
      ...mcp.clientMetadata,
    }));
    const serverUrl = `${t.url}/mcp`;
    const calls: string[] = [];
    const fetchFn: typeof fetch = (input, init) => {
      const target = input instanceof Request ? input.url : String(input);
      calls.push(`${init?.method ?? 'GET'} ${target}`);
      return fetch(input, init);
    };

    expect(await auth(mcp, { serverUrl, fetchFn })).toBe('REDIRECT');
    // No registration: the SDK saw client_id_metadata_document_supported in discovery.
    expect(calls.some((c) => c.includes('/register'))).toBe(false);
    expect(mcp.client?.client_id).toBe(mcp.clientMetadataUrl);
    const url = mcp.authorizationUrl!;
    expect(url.searchParams.get('client_id')).toBe(mcp.clientMetadataUrl);

    const result = await authorize(t, Object.fromEntries(url.searchParams), user);
    expect(result.error, result.errorDescription).toBeUndefined();
    expect(result.code).toBeDefined();
    expect(await auth(mcp, { serverUrl, authorizationCode: result.code, fetchFn })).toBe(
      'AUTHORIZED',
    );
    const info = await request(t.url)
      .get('/api/v1/oauth/userinfo')
      .auth(mcp.saved!.access_token, { type: 'bearer' })
      .expect(200);
    expect(info.body.sub).toBe(user.id);
    // The server fetched the document once, over https.
    expect(docs.hits('/mcp/client.json')).toBe(1);
  });
});
