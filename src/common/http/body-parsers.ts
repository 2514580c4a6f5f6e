import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import express from 'express';

/** Most form parameters accepted; more is 413 `Too many parameters` (the token family takes < 15). */
export const FORM_PARAMETER_LIMIT = 100;

/**
 * The request body parsers, as one middleware (issue 11, docs/benchmarks.md candidates 7 and the lean
 * form parser): JSON (`application/json`, `application/*+json`) for registration and the JSON-bodied
 * endpoints, `application/x-www-form-urlencoded` for the token family (RFC 6749 §3.2) and the browser
 * forms. A request without `Content-Type` (every GET) passes at the cost of one header read, instead of
 * two Express layers and two type checks.
 *
 * The common form request — `Content-Type: application/x-www-form-urlencoded` with no charset or
 * UTF-8, no `Content-Encoding`, a `Content-Length` within the limit — is read and parsed here
 * ({@link parseForm}), without body-parser's stream set-up, charset decoder and `qs` (about 110 µs per
 * four-field form in the profile). Everything else (other types, a compressed or chunked body, another
 * charset, a body over the limit) goes to body-parser exactly as before, so its 400/413/415 answers are
 * unchanged; the lean path's own refusals (too many parameters, a body cut short) carry body-parser's
 * error `type`s, so the exception filter renders them the same way.
 *
 * @param limit the largest body, as `BODY_LIMIT` spells it (`64kb`; bytes, `kb` or `mb`)
 */
export function bodyParsers(limit: string): RequestHandler {
  const json = express.json({
    limit,
    strict: true,
    type: ['application/json', 'application/*+json'],
  });
  const form = express.urlencoded({
    limit,
    extended: false,
    parameterLimit: FORM_PARAMETER_LIMIT,
  });
  const limitBytes = byteLimit(limit);
  return (req: Request, res: Response, next: NextFunction): void => {
    const type = req.headers['content-type'];
    // Neither parser reads a body without a Content-Type (type-is answers false).
    if (type === undefined) return next();
    if (isPlainForm(type) && leanFormReadable(req, limitBytes)) return readForm(req, next);
    json(req, res, (err?: unknown) => {
      if (err !== undefined) return next(err);
      form(req, res, next);
    });
  };
}

/** `application/x-www-form-urlencoded`, alone or with `charset=utf-8` (the only charset we decode). */
const PLAIN_FORM = /^application\/x-www-form-urlencoded\s*(?:;\s*charset="?utf-8"?\s*)?$/i;

function isPlainForm(type: string): boolean {
  return type.length <= 80 && PLAIN_FORM.test(type);
}

/** Whether the lean reader may take the body: identity coding, a known length within the limit. */
function leanFormReadable(req: IncomingMessage, limitBytes: number): boolean {
  const coding = req.headers['content-encoding'];
  if (coding !== undefined && coding.toLowerCase() !== 'identity') return false;
  if (req.headers['transfer-encoding'] !== undefined || req.readableEnded) return false;
  const length = req.headers['content-length'];
  return length !== undefined && /^\d{1,9}$/.test(length) && Number(length) <= limitBytes;
}

/** `64kb` → 65536, as body-parser's `bytes` reads it (1 kb = 1024 bytes); -1 when unreadable. */
export function byteLimit(limit: string): number {
  const m = /^(\d+)(b|kb|mb)?$/i.exec(limit.trim());
  if (!m) return -1;
  const unit = (m[2] ?? 'b').toLowerCase();
  return Number(m[1]) * (unit === 'mb' ? 1024 * 1024 : unit === 'kb' ? 1024 : 1);
}

/** An error shaped as body-parser's (http-errors: `status`, `statusCode`, `expose`, `type`). */
function bodyError(status: number, message: string, type: string): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: true, type });
}

/** Reads a form body whose length is known and within the limit, then parses it. */
function readForm(req: Request, next: NextFunction): void {
  const expected = Number(req.headers['content-length']);
  const chunks: Buffer[] = [];
  let received = 0;
  let done = false;
  const finish = (err?: Error): void => {
    if (done) return;
    done = true;
    req.off('data', onData);
    req.off('end', onEnd);
    req.off('error', onError);
    req.off('close', onClose);
    if (err) return next(err);
    // The HTTP parser stops at Content-Length, so a mismatch means the peer went away.
    if (received !== expected) {
      return next(
        bodyError(400, 'request size did not match content length', 'request.size.invalid'),
      );
    }
    let text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString();
    // body-parser's decoder (iconv-lite) drops a UTF-8 byte order mark.
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const body = parseForm(text, FORM_PARAMETER_LIMIT);
    if (body === null) return next(bodyError(413, 'too many parameters', 'parameters.too.many'));
    req.body = body;
    next();
  };
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    chunks.push(chunk);
  };
  const onEnd = (): void => finish();
  const onError = (): void => finish(bodyError(400, 'request aborted', 'request.aborted'));
  const onClose = (): void => {
    if (!req.readableEnded) finish(bodyError(400, 'request aborted', 'request.aborted'));
  };
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
  req.on('close', onClose);
}

/**
 * Parses an `application/x-www-form-urlencoded` body (WHATWG URL §5.1) into what body-parser's
 * `urlencoded({ extended: false })` gives: a name given once maps to its string, a repeated name to the
 * array of its values in order (RFC 6749 §3.2 callers refuse repeats: `TokenParams`), `+` is a space,
 * a malformed percent-escape is kept as written, parts without a name are skipped, `__proto__` is
 * dropped, `%5B`/`%5D` are brackets everywhere, and a name written wholly in brackets (`[x]`) is read
 * as `x` (qs at depth 0; the name `[]`, which qs numbers, is dropped). Null when the body has more than
 * `limit` parameters (body-parser's 413).
 */
export function parseForm(text: string, limit: number): Record<string, string | string[]> | null {
  const out: Record<string, string | string[]> = {};
  if (text.length === 0) return out;
  // qs reads escaped brackets as brackets before anything else (even in a malformed escape's text).
  if (text.indexOf('%5') !== -1) text = text.replace(/%5B/gi, '[').replace(/%5D/gi, ']');
  let count = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    if (++count > limit) return null;
    if (end > start) addPart(out, text.slice(start, end));
    start = end + 1;
  }
  return out;
}

function addPart(out: Record<string, string | string[]>, part: string): void {
  // qs splits at the first `]=` when there is one (the name may hold `=` inside brackets).
  const bracketEquals = part.indexOf(']=');
  const eq = bracketEquals === -1 ? part.indexOf('=') : bracketEquals + 1;
  let name = decode(eq === -1 ? part : part.slice(0, eq));
  const value = eq === -1 ? '' : decode(part.slice(eq + 1));
  if (name.length > 2 && name.charCodeAt(0) === 0x5b && name.charCodeAt(name.length - 1) === 0x5d) {
    name = name.slice(1, -1);
  }
  if (name === '' || name === '__proto__' || name === '[]') return;
  if (!Object.hasOwn(out, name)) {
    out[name] = value;
    return;
  }
  const prev = out[name];
  if (Array.isArray(prev)) prev.push(value);
  else out[name] = [prev, value];
}

/** `+` as space, then percent-decoding; a malformed escape leaves the text as it was (as qs). */
function decode(s: string): string {
  if (s.indexOf('+') !== -1) s = s.replace(/\+/g, ' ');
  if (s.indexOf('%') === -1) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
