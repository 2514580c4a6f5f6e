/** Escapes text for HTML element content and quoted attribute values (OWASP XSS prevention rule #1/#2). */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** An http(s) URL safe to put in `href`/`src`, or null (no `javascript:` and friends, whatever got stored). */
export function safeWebUrl(value: string | null | undefined, httpsOnly = false): string | null {
  if (!value) return null;
  try {
    const u = new URL(value);
    if (u.protocol === 'https:' || (!httpsOnly && u.protocol === 'http:')) return u.href;
  } catch {
    return null;
  }
  return null;
}
