import { describe, expect, it } from 'vitest';
import { escapeHtml, safeWebUrl } from './escape.js';
import { formActionSource } from './http.js';
import { consentPage, errorPage, loginPage } from './pages.js';

const evil = `<script>alert('x')</script>"&`;

describe('authorization pages', () => {
  it('escapes every special character (OWASP XSS rule #1)', () => {
    expect(escapeHtml(evil)).toBe('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;');
  });

  it('accepts only http(s) URLs for links, https only for images', () => {
    expect(safeWebUrl('javascript:alert(1)')).toBeNull();
    expect(safeWebUrl('data:text/html,x')).toBeNull();
    expect(safeWebUrl('http://a.example/')).toBe('http://a.example/');
    expect(safeWebUrl('http://a.example/', true)).toBeNull();
    expect(safeWebUrl('not a url')).toBeNull();
  });

  it('renders no raw interpolated value on any page', () => {
    const client = { clientId: evil, clientName: evil, logoUri: null, tosUri: evil };
    const pages = [
      loginPage({ client, requestId: evil, csrfToken: evil, username: evil, error: evil }),
      consentPage({
        client: { ...client, selfRegistered: true },
        requestId: evil,
        csrfToken: evil,
        scopes: [evil],
        username: evil,
        redirectHost: evil,
        resources: [evil],
      }),
      errorPage({
        title: evil,
        error: evil,
        description: evil,
        returnLink: { href: evil, host: evil },
      }),
    ];
    for (const html of pages) {
      expect(html).not.toContain('<script>');
      expect(html).not.toMatch(/value="[^"]*"&/);
    }
  });

  it('builds the CSP form-action source of a redirect target', () => {
    expect(formActionSource('https://app.example.com:8443/cb?x=1')).toBe(
      'https://app.example.com:8443',
    );
    expect(formActionSource('com.example.app:/oauth')).toBe('com.example.app:');
    expect(formActionSource('::nope')).toBeNull();
  });
});
