/**
 * The scope grammar of RFC 6749 §3.3, the one definition that authorization requests, token requests,
 * module options and the environment schema use (docs/adr/0022):
 *
 * ```
 * scope       = scope-token *( SP scope-token )
 * scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
 * ```
 */
const SCOPE_TOKEN = '[\\x21\\x23-\\x5B\\x5D-\\x7E]+';

/** RFC 6749 §3.3 `scope-token`: printable ASCII except space, `"` and `\`. */
export const SCOPE_TOKEN_PATTERN = new RegExp(`^${SCOPE_TOKEN}$`);

/** RFC 6749 §3.3 `scope`: scope tokens separated by exactly one space, nothing before or after. */
export const SCOPE_PATTERN = new RegExp(`^${SCOPE_TOKEN}(?: ${SCOPE_TOKEN})*$`);

/** Whether `value` is one RFC 6749 §3.3 scope token. */
export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN_PATTERN.test(value);
}

/**
 * The scope tokens of a `scope` value (RFC 6749 §3.3: space-delimited, case-sensitive, order irrelevant),
 * each once, in the order first given; `null` when the value does not follow the grammar (an empty
 * value, a doubled, leading or trailing space, or a forbidden character).
 */
export function parseScopeValue(scope: string): string[] | null {
  if (!SCOPE_PATTERN.test(scope)) return null;
  return [...new Set(scope.split(' '))];
}
