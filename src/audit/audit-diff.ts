import type { AuditChanges } from './audit.types.js';

/** Deep equality of JSON-like values (arrays in order, objects by key). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(normalise(a)) === JSON.stringify(normalise(b));
}

function normalise(v: unknown): unknown {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(normalise);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, normalise((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/**
 * The field-level diff between two views of a record, over the named public fields only (issue 8: the
 * diff "never contains a secret value"): a field absent from `fields` is never looked at, so hashes and
 * secrets cannot leak into it by accident. `before` null means creation (every non-empty field is listed
 * with `to` only).
 */
export function diffFields<T extends object>(
  before: T | null,
  after: T,
  fields: readonly (keyof T & string)[],
): AuditChanges {
  const changes: AuditChanges = {};
  for (const f of fields) {
    const to = after[f] ?? null;
    if (before === null) {
      if (to !== null && !(Array.isArray(to) && to.length === 0)) changes[f] = { to };
      continue;
    }
    const from = before[f] ?? null;
    if (!same(from, to)) changes[f] = { from, to };
  }
  return changes;
}

/** Renders a diff for people: `redirect_uris: [a] → [a, b]; status: active → suspended`. */
export function describeChanges(changes: AuditChanges): string {
  const show = (v: unknown): string =>
    Array.isArray(v)
      ? `[${v.map(show).join(', ')}]`
      : v === null || v === undefined
        ? '∅'
        : typeof v === 'string'
          ? v
          : JSON.stringify(v);
  return Object.entries(changes)
    .map(([field, c]) =>
      'from' in c ? `${field}: ${show(c.from)} → ${show(c.to)}` : `${field}: ${show(c.to)}`,
    )
    .join('; ');
}
