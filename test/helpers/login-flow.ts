import { randomBytes } from 'node:crypto';
import { UsersService, type User } from '../../src/users/index.js';
import type { TestApp } from './test-app.js';

/**
 * Drives /oauth/authorize through the REAL login and consent forms over HTTP (fetch, manual redirects,
 * cookies kept in a jar), the way a browser does. For suites of other modules that need a real code.
 */

export const AUTHORIZE_PATH = '/api/v1/oauth/authorize';
export const DEFAULT_PASSWORD = 'correct horse battery staple';

/** A minimal cookie jar: name -> value, fed from `Set-Cookie`, sent as `Cookie`. */
export class CookieJar {
  readonly cookies = new Map<string, string>();
  /** Raw `Set-Cookie` lines seen, newest last (tests assert on attributes). */
  readonly setCookieLines: string[] = [];

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      this.setCookieLines.push(line);
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  /** The last `Set-Cookie` line for `name`, if any. */
  lastSetCookie(name: string): string | undefined {
    return this.setCookieLines.filter((l) => l.startsWith(`${name}=`)).at(-1);
  }
}

/** One HTTP exchange with the jar's cookies; redirects are not followed. */
export async function send(
  jar: CookieJar,
  url: string | URL,
  init: {
    method?: 'GET' | 'POST';
    form?: Record<string, string>;
    json?: unknown;
    headers?: Record<string, string>;
  } = {},
): Promise<{ res: Response; body: string }> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  const cookie = jar.header();
  if (cookie) headers.Cookie = cookie;
  let body: string | undefined;
  if (init.form) {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  } else if (init.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(init.json);
  }
  const res = await fetch(url, {
    method: init.method ?? (body !== undefined ? 'POST' : 'GET'),
    headers,
    body,
    redirect: 'manual',
  });
  jar.store(res);
  return { res, body: await res.text() };
}

const unescapeHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The first POST form of a page: its action and hidden fields. */
export function parseForm(html: string): { action: string; hidden: Record<string, string> } | null {
  const form = /<form[^>]*method="post"[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) return null;
  const hidden: Record<string, string> = {};
  for (const m of form[2].matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    hidden[unescapeHtml(m[1])] = unescapeHtml(m[2]);
  }
  return { action: unescapeHtml(form[1]), hidden };
}

/** Outcome of {@link authorize}: where the server finally sent the browser, with the response parameters. */
export interface AuthorizeResult {
  /** The redirect to the client (its redirect_uri with the response parameters). */
  location: URL;
  code?: string;
  state?: string;
  iss?: string;
  error?: string;
  errorDescription?: string;
  /** The `Cookie` header the browser holds at the end (session and binding cookies). */
  cookie?: string;
  jar: CookieJar;
  /** Paths of the server pages shown on the way (e.g. `/api/v1/oauth/login`), in order. */
  pages: string[];
}

/** Thrown when the flow stops on a page of this server instead of redirecting to the client. */
export class AuthorizeFlowError extends Error {
  constructor(
    readonly status: number,
    readonly url: string,
    readonly body: string,
  ) {
    super(`authorize flow stopped at ${url} with ${status}: ${body.slice(0, 300)}`);
  }
}

/**
 * Runs an authorization request through the real pages: the login form (when shown) is filled with
 * `user`, the consent page (when shown) is answered with `opts.consent` (default `allow`). Pass
 * `opts.cookieJar` to reuse a browser's session across calls; `opts.method: 'POST'` sends the request
 * form-encoded.
 */
export async function authorize(
  t: TestApp,
  params: Record<string, string>,
  user: { username: string; password: string } | null,
  opts: { consent?: 'allow' | 'deny'; cookieJar?: CookieJar; method?: 'GET' | 'POST' } = {},
): Promise<AuthorizeResult> {
  const jar = opts.cookieJar ?? new CookieJar();
  const origin = new URL(t.url).origin;
  const pages: string[] = [];
  let url = new URL(`${t.url}${AUTHORIZE_PATH}`);
  let step =
    opts.method === 'POST'
      ? await send(jar, url, { form: params })
      : await send(jar, `${url.href}?${new URLSearchParams(params).toString()}`);
  for (let i = 0; i < 12; i++) {
    const { res, body } = step;
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get('location')!, url);
      if (next.origin !== origin) return result(next, jar, pages);
      url = next;
      step = await send(jar, url);
      continue;
    }
    const form = res.status === 200 ? parseForm(body) : null;
    if (!form) throw new AuthorizeFlowError(res.status, url.href, body);
    pages.push(url.pathname);
    url = new URL(form.action, url);
    if (url.pathname.endsWith('/oauth/login')) {
      if (!user) {
        throw new AuthorizeFlowError(res.status, url.href, 'login form shown, no user given');
      }
      step = await send(jar, url, {
        form: { ...form.hidden, username: user.username, password: user.password },
      });
    } else if (url.pathname.endsWith('/oauth/consent')) {
      step = await send(jar, url, { form: { ...form.hidden, decision: opts.consent ?? 'allow' } });
    } else {
      throw new AuthorizeFlowError(res.status, url.href, body);
    }
  }
  throw new Error('authorize flow: too many steps');
}

function result(location: URL, jar: CookieJar, pages: string[]): AuthorizeResult {
  const q = location.searchParams;
  const get = (k: string) => q.get(k) ?? undefined;
  return {
    location,
    code: get('code'),
    state: get('state'),
    iss: get('iss'),
    error: get('error'),
    errorDescription: get('error_description'),
    cookie: jar.header() || undefined,
    jar,
    pages,
  };
}

/** A user created through the real UsersService (argon2id); returns it with its plain password. */
export async function createUser(
  t: TestApp,
  username = `user${randomBytes(4).toString('hex')}`,
  password = DEFAULT_PASSWORD,
): Promise<User & { password: string }> {
  const user = await t.app.get(UsersService).create({
    username,
    password,
    email: `${username}@example.com`,
    name: 'Test User',
    emailVerified: true,
  });
  return { ...user, password };
}
