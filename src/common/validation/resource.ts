import { OAuthError } from '../errors/oauth-error.js';

/** RFC 3986 §2: unreserved and reserved characters and `%`. */
const RESOURCE_CHARS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/;
const MAX_RESOURCE_LENGTH = 2048;
/** More target services than this in one request is not a real client; it bounds the stored row. */
const MAX_RESOURCES = 10;

function isResourceIndicator(v: string): boolean {
  try {
    const u = new URL(v);
    // RFC 3986 characters only, well-formed percent-encoding: the value becomes the token's `aud`,
    // compared as a string by resource servers, so what a URL parser would rewrite is refused.
    return (
      !v.includes('#') &&
      u.protocol.length > 1 &&
      v.length <= MAX_RESOURCE_LENGTH &&
      RESOURCE_CHARS.test(v) &&
      !/%(?![0-9A-Fa-f]{2})/.test(v)
    );
  } catch {
    return false;
  }
}

/**
 * RFC 8707 §2 resource indicators, from the values of every `resource` parameter of a request (the
 * parameter may be repeated). Each must be an absolute URI without a fragment, otherwise the error is
 * `invalid_target`, at the authorization endpoint (redirected) as at the token endpoint. Empty values are
 * treated as omitted (RFC 6749 §3.1). Returns the distinct values, or null when there are none.
 */
export function parseResourceIndicators(values: readonly unknown[]): string[] | null {
  const present = values.filter((v) => v !== '');
  if (present.length === 0) return null;
  if (present.some((v) => typeof v !== 'string')) {
    throw OAuthError.invalidRequest('resource must be a string');
  }
  const strings = present as string[];
  if (!strings.every(isResourceIndicator)) {
    throw new OAuthError(
      'invalid_target',
      400,
      'resource must be an absolute URI without a fragment (RFC 8707 §2)',
    );
  }
  const unique = [...new Set(strings)];
  if (unique.length > MAX_RESOURCES) {
    throw new OAuthError(
      'invalid_target',
      400,
      `At most ${MAX_RESOURCES} resource values are accepted in one request`,
    );
  }
  return unique;
}

/**
 * Reads an allow-list of resource indicators (`RESOURCE_INDICATORS_ALLOWED`, a client's allowed
 * resources): each entry is an absolute URI without a fragment (RFC 8707 §2), matched exactly, or a
 * prefix when it ends in `/`. Throws an `Error` naming the first bad entry; returns the distinct entries.
 */
export function parseResourceAllowList(entries: readonly string[]): string[] {
  const bad = entries.find((e) => !isResourceIndicator(e));
  if (bad !== undefined) {
    throw new Error(
      `${JSON.stringify(bad.slice(0, 100))} is not an absolute URI without a fragment (RFC 8707 §2)`,
    );
  }
  return [...new Set(entries)];
}

/**
 * Whether `resource` is allowed by `allowList`: equal to an entry, or starting with an entry that ends in
 * `/`. A prefix match also requires that no path segment of the resource is a dot segment (`.`, `..`, or
 * their percent-encoded forms): `https://api.example.com/public/../admin` starts with
 * `https://api.example.com/public/` but names another resource to any server that normalises its URLs.
 */
export function isResourceAllowed(resource: string, allowList: readonly string[]): boolean {
  if (allowList.includes(resource)) return true;
  return allowList.some(
    (entry) => entry.endsWith('/') && resource.startsWith(entry) && !hasDotSegment(resource),
  );
}

function hasDotSegment(resource: string): boolean {
  const path = resource.replace(/^[A-Za-z][A-Za-z0-9+.-]*:(\/\/[^/?#]*)?/, '').split(/[?#]/)[0];
  return path.split('/').some((segment) => /^(\.|%2e){1,2}$/i.test(segment));
}
