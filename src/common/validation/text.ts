/** C0 and C1 controls, DEL and the Unicode line/paragraph separators: never legitimate in client metadata, and a NUL byte breaks some drivers' logs. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
/**
 * Bidirectional embedding, override and isolate controls (Unicode UAX #9): they let a client name shown on
 * the consent page read differently from what is stored ("Trojan Source"-style spoofing, CVE-2021-42574).
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;
/** A UTF-16 surrogate without its partner: cannot be encoded as UTF-8, so MySQL's utf8mb4 would reject it. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a string cannot be stored as text metadata, or `null` when it can: non-empty, no control
 * characters, well-formed Unicode (so it round-trips through UTF-8 on every database).
 */
export function textProblem(value: string): string | null {
  if (value.length === 0) return 'must not be empty';
  if (CONTROL_CHARS.test(value)) return 'must not contain control characters';
  if (BIDI_CONTROLS.test(value)) return 'must not contain bidirectional control characters';
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode';
  return null;
}

/** True for `{...}` objects parsed from JSON: not arrays, not null, not class instances. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Keys that would reach an object's prototype through assignment (prototype pollution). */
export const DANGEROUS_KEYS: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
]);

/**
 * True when a parsed JSON value nests deeper than `maxDepth` objects/arrays. Iterative, so a hostile
 * body cannot overflow the stack here, and checked before any recursive copy (class-transformer) runs.
 */
export function nestsDeeperThan(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= maxDepth) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}
