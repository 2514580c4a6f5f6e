import { parseScopeValue } from '../common/oauth/scope.js';
import { OAuthError } from '../common/errors/oauth-error.js';

/**
 * The parameters of a token-family request (RFC 6749 §3.2: `application/x-www-form-urlencoded`; JSON is
 * accepted too, as the contract's `/oauth/refresh` and `/oauth/revoke` take JSON bodies).
 *
 * - RFC 6749 §3.1 / §3.2: "Request and response parameters MUST NOT be included more than once", so a
 *   repeated parameter is `invalid_request` (the form parser gives arrays for repeats).
 * - RFC 6749 §3.1: "Parameters sent without a value MUST be treated as if they were omitted".
 * - Only strings are parameters; a JSON number, object or array is `invalid_request`.
 * - RFC 8707 §2: `resource` may be repeated; names in `repeatable` may appear more than once.
 */
export class TokenParams {
  private constructor(private readonly values: Map<string, string[]>) {}

  /** Reads the body Express parsed (`undefined` or a non-object when no parser matched). */
  static from(body: unknown, repeatable: readonly string[] = []): TokenParams {
    const values = new Map<string, string[]>();
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return new TokenParams(values);
    }
    for (const [name, raw] of Object.entries(body as Record<string, unknown>)) {
      const list = Array.isArray(raw) ? (raw as unknown[]) : [raw];
      if (list.some((v) => typeof v !== 'string')) {
        throw OAuthError.invalidRequest(`Parameter ${safeName(name)} must be a string`);
      }
      const present = (list as string[]).filter((v) => v !== '');
      if (present.length === 0) continue;
      if (list.length > 1 && !repeatable.includes(name)) {
        throw OAuthError.invalidRequest(`Parameter ${safeName(name)} must not be repeated`);
      }
      values.set(name, present);
    }
    return new TokenParams(values);
  }

  /** The single value of `name`, or undefined when absent or empty. */
  get(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  /** Every value of a repeatable parameter. */
  getAll(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The value of `name`, or 400 `invalid_request` naming it (RFC 6749 §5.2). */
  require(name: string): string {
    const v = this.get(name);
    if (v === undefined) throw OAuthError.invalidRequest(`Missing required parameter: ${name}`);
    return v;
  }
}

/** Parameter names are echoed in descriptions; keep them short and printable. */
function safeName(name: string): string {
  return /^[A-Za-z0-9_.[\]-]{1,64}$/.test(name) ? name : '(unnamed)';
}

/**
 * Parses a `scope` parameter (RFC 6749 §3.3: space-delimited, case-sensitive, order irrelevant) into
 * unique values; a malformed value is `invalid_scope`.
 */
export function parseScope(scope: string | undefined): string[] | undefined {
  if (scope === undefined) return undefined;
  const values = parseScopeValue(scope);
  if (values === null) {
    throw OAuthError.invalidScope('The scope parameter is malformed (RFC 6749 §3.3)');
  }
  return values;
}
