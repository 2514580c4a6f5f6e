import { OAuthError } from '../errors/oauth-error.js';

/** The strong entity tag of a client version (RFC 9110 §8.8.3): `"v<version>"`. */
export function clientEtag(version: number): string {
  return `"v${version}"`;
}

/**
 * The versions an `If-Match` header names (RFC 9110 §13.1.1): `undefined` without the header or for `*`
 * (any current representation); otherwise the versions of the listed tags that are ours — a tag that is
 * not (a weak one, a foreign one) can never match, so an empty list means 412.
 */
export function ifMatchVersions(header: string | string[] | undefined): number[] | undefined {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*') return undefined;
  return value
    .split(',')
    .map((t) => /^"v(\d{1,15})"$/.exec(t.trim())?.[1])
    .filter((v): v is string => v !== undefined)
    .map(Number);
}

/** 412 with the OAuth error shape (RFC 9110 §15.5.13). */
export function preconditionFailed(): OAuthError {
  return new OAuthError(
    'precondition_failed',
    412,
    'If-Match does not match the current version (ETag) of the client; read it again and retry',
  );
}
