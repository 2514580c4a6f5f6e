import { API_PREFIX } from '../../common/http/route-prefix.js';
import {
  CONSENT_PATH,
  LOGIN_PATH,
  LOGOUT_CONFIRM_PATH,
  STYLESHEET_PATH,
} from '../authorize.constants.js';
import { escapeHtml, safeWebUrl } from './escape.js';

/** Human text for the scopes this server offers (OIDC Core §5.4); others are shown by name. */
const SCOPE_TEXT: Record<string, string> = {
  openid: 'Sign you in and know your account identifier',
  profile: 'Read your profile: name and username',
  email: 'Read your email address',
  offline_access: 'Keep access when you are not using the application (refresh tokens)',
};

/** The client as the pages show it. */
export interface ClientDisplay {
  clientId: string;
  clientName: string | null;
  logoUri: string | null;
  clientUri?: string | null;
  policyUri?: string | null;
  tosUri?: string | null;
  /** Registered itself (open registration): its name and logo are its own claims, shown as unverified. */
  selfRegistered?: boolean;
}

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${API_PREFIX}${STYLESHEET_PATH}">
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function clientName(c: ClientDisplay): string {
  return c.clientName?.trim() ? c.clientName : c.clientId;
}

/** The client's logo, if any (the name is written once, in the page's sentence). */
function clientLogo(c: ClientDisplay): string {
  // Only https logos: the page's CSP allows images from this server and https: only.
  const logo = safeWebUrl(c.logoUri, true);
  return logo ? `<div class="client"><img src="${escapeHtml(logo)}" alt=""></div>` : '';
}

function unverifiedNote(c: ClientDisplay): string {
  const host = metadataDocumentHost(c.clientId);
  // A Client ID Metadata Document client names itself: the host that published the document is what
  // the user can check (draft-ietf-oauth-client-id-metadata-document §6.2).
  const from = host
    ? `<p class="client-host">Identified by its metadata document at <strong>${escapeHtml(host)}</strong></p>`
    : '';
  const note = c.selfRegistered
    ? '<p class="warning" role="note">Unverified application: it registered itself with this server, so its name and logo are its own claims. Continue only if you trust where you will be sent.</p>'
    : '';
  return `${note}${from}`;
}

/** The host of a URL client_id (a Client ID Metadata Document), or null for a registered client. */
function metadataDocumentHost(clientId: string): string | null {
  if (!/^https?:\/\//.test(clientId)) return null;
  try {
    return new URL(clientId).host;
  } catch {
    return null;
  }
}

function hidden(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

/** The login form (username + password) of the default login handler. */
export function loginPage(input: {
  client: ClientDisplay;
  requestId: string;
  csrfToken: string;
  username?: string | null;
  error?: string | null;
  reauthentication?: boolean;
}): string {
  const { client } = input;
  const error = input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : '';
  const lead = input.reauthentication
    ? 'Please sign in again to continue to'
    : 'Sign in to continue to';
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
${clientLogo(client)}
<p>${lead} <strong>${escapeHtml(clientName(client))}</strong>.</p>
${error}
<form method="post" action="${API_PREFIX}${LOGIN_PATH}">
${hidden('request', input.requestId)}
${hidden('csrf_token', input.csrfToken)}
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(input.username ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  );
}

/** The consent page: who asks, for what, with Allow / Deny (OIDC Core §3.1.2.4). */
export function consentPage(input: {
  client: ClientDisplay;
  requestId: string;
  csrfToken: string;
  scopes: string[];
  username: string;
  /** Where the user is sent after choosing (the redirect URI's host, or the app for a private-use scheme). */
  redirectHost: string;
  /** RFC 8707 resources the tokens will be for; null or empty when none were named. */
  resources?: string[] | null;
}): string {
  const { client } = input;
  const resources = (input.resources ?? [])
    .map((r) => `<li><code>${escapeHtml(r)}</code></li>`)
    .join('\n');
  const scopes = input.scopes
    .map((s) => `<li>${escapeHtml(SCOPE_TEXT[s] ?? s)} <code>(${escapeHtml(s)})</code></li>`)
    .join('\n');
  const links = [
    ['Website', safeWebUrl(client.clientUri)],
    ['Privacy policy', safeWebUrl(client.policyUri)],
    ['Terms of service', safeWebUrl(client.tosUri)],
  ]
    .filter((l): l is [string, string] => l[1] !== null)
    .map(
      ([label, href]) =>
        `<a href="${escapeHtml(href)}" rel="noopener noreferrer" target="_blank">${label}</a>`,
    )
    .join('');
  return layout(
    'Authorize access',
    `<h1>Authorize access</h1>
${clientLogo(client)}
<p><strong>${escapeHtml(clientName(client))}</strong> wants to:</p>
<ul class="scopes">
${scopes}
</ul>
${resources ? `<p>with access to these services (RFC 8707 resources):</p>\n<ul class="resources">\n${resources}\n</ul>` : ''}
${unverifiedNote(client)}
<p>After you choose, you will be sent to <strong>${escapeHtml(input.redirectHost)}</strong>.</p>
${links ? `<p class="links">${links}</p>` : ''}
<p>Signed in as <strong>${escapeHtml(input.username)}</strong>.</p>
<form method="post" action="${API_PREFIX}${CONSENT_PATH}">
${hidden('request', input.requestId)}
${hidden('csrf_token', input.csrfToken)}
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  );
}

/**
 * An error shown to the user instead of a redirect (RFC 6749 §4.1.2.1), or a refused form post. With
 * `returnLink` (AUTHORIZE_UNTRUSTED_ERROR_PAGE, RFC 9700 §4.11.2) the page offers the error response as a
 * plain link, naming the host it leads to; the browser never goes there unless the user clicks.
 */
export function errorPage(input: {
  title: string;
  error: string;
  description: string;
  returnLink?: { href: string; host: string };
}): string {
  const back = input.returnLink
    ? `<p>The application asked to be sent back to <strong>${escapeHtml(input.returnLink.host)}</strong>. Continue only if you trust it and started this sign-in yourself.</p>
<p><a href="${escapeHtml(input.returnLink.href)}" rel="noopener noreferrer">Return to ${escapeHtml(input.returnLink.host)}</a></p>`
    : '<p>Return to the application you came from and try again.</p>';
  return layout(
    input.title,
    `<h1>${escapeHtml(input.title)}</h1>
<p class="error" role="alert">${escapeHtml(input.description)}</p>
<p>Error code: <code>${escapeHtml(input.error)}</code></p>
${back}`,
  );
}

/**
 * The sign-out confirmation (OIDC RP-Initiated Logout 1.0 §2 and §6: a logout request without a valid
 * `id_token_hint` may come from anyone, so the user is asked). The form posts the request back with a
 * CSRF token bound to the session cookie.
 */
export function logoutConfirmPage(input: {
  client: ClientDisplay | null;
  username: string;
  csrfToken: string;
  fields: Record<string, string>;
}): string {
  const from = input.client
    ? `<p><strong>${escapeHtml(clientName(input.client))}</strong> asks to sign you out.</p>`
    : '';
  const hiddenFields = Object.entries(input.fields)
    .map(([k, v]) => hidden(k, v))
    .join('\n');
  return layout(
    'Sign out',
    `<h1>Sign out</h1>
${from}
<p>Do you want to sign out <strong>${escapeHtml(input.username)}</strong>? If you did not ask for this, close this page.</p>
<form method="post" action="${API_PREFIX}${LOGOUT_CONFIRM_PATH}">
${hidden('csrf_token', input.csrfToken)}
${hiddenFields}
<button type="submit" name="decision" value="logout">Sign out</button>
</form>`,
  );
}

/**
 * Shown after sign-out when the browser is not redirected: with a plain link to the registered
 * `post_logout_redirect_uri` when one was named but nothing vouched for the redirect (RP-Initiated
 * Logout 1.0 §3).
 */
export function signedOutPage(input: { returnTo?: string | null } = {}): string {
  const link = input.returnTo
    ? `<p><a href="${escapeHtml(input.returnTo)}" rel="noopener noreferrer">Return to the application</a></p>`
    : '<p>You can close this page.</p>';
  return layout(
    'Signed out',
    `<h1>Signed out</h1>
<p>You are signed out.</p>
${link}`,
  );
}
