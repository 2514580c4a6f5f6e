import { describe, expect, it } from 'vitest';
import { DISCOVERY_DEFAULTS, resolveDiscoverySettings } from './discovery.options.js';

describe(resolveDiscoverySettings.name, () => {
  it('takes the documented default of every omitted option', () => {
    expect(resolveDiscoverySettings({})).toEqual(DISCOVERY_DEFAULTS);
  });

  it('keeps what is given, the issuer without a trailing slash (RFC 8414 §2)', () => {
    expect(
      resolveDiscoverySettings({
        issuer: 'https://as.example/',
        routePrefix: '/api',
        scopesSupported: ['openid'],
        idTokenAlg: 'ES256',
        registrationStyle: 'envelope',
        requirePushedAuthorizationRequests: true,
        clientIdMetadataDocuments: true,
      }),
    ).toEqual({
      issuer: 'https://as.example',
      routePrefix: '/api',
      scopesSupported: ['openid'],
      idTokenAlg: 'ES256',
      registrationStyle: 'envelope',
      requirePushedAuthorizationRequests: true,
      clientIdMetadataDocuments: true,
    });
  });
});
