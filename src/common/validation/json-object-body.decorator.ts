import {
  createParamDecorator,
  type ExecutionContext,
  type PipeTransform,
  type Type,
} from '@nestjs/common';
import type { Request } from 'express';
import { OAuthError } from '../errors/oauth-error.js';
import { DANGEROUS_KEYS, isPlainObject, nestsDeeperThan } from './text.js';

/** Deeper JSON is refused before it is copied: no contract body nests beyond a handful of levels. */
const MAX_BODY_DEPTH = 16;

/** What to do when the body is JSON but not an object (`[]`, `"x"`, `null`). */
export type NotAnObjectError = () => OAuthError;

/**
 * The request body, required to be a JSON object: a non-JSON `Content-Type` is 415 `invalid_request`,
 * a missing body or a JSON value that is not an object goes to `notAnObject` (400). Keys that would reach
 * a prototype (`__proto__`, `constructor`, `prototype`) are dropped and over-deep nesting is refused
 * (400 `invalid_request`) before any pipe copies the object.
 * Combine with a ValidationPipe that has `validateCustomDecorators: true`.
 */
export const JsonObjectBody = (
  notAnObject: NotAnObjectError,
  ...pipes: (Type<PipeTransform> | PipeTransform)[]
) =>
  createParamDecorator((_data: unknown, ctx: ExecutionContext): Record<string, unknown> => {
    const req = ctx.switchToHttp().getRequest<Request>();
    const contentType = req.headers['content-type'];
    // express.json only parses JSON media types; anything else would arrive as an empty body.
    if (contentType !== undefined && !req.is(['application/json', 'application/*+json'])) {
      throw new OAuthError('invalid_request', 415, 'Content-Type must be application/json');
    }
    const body: unknown = req.body;
    if (!isPlainObject(body)) throw notAnObject();
    if (nestsDeeperThan(body, MAX_BODY_DEPTH)) {
      throw OAuthError.invalidRequest(
        `The request body nests deeper than ${MAX_BODY_DEPTH} levels`,
      );
    }
    const clean: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(body)) {
      if (!DANGEROUS_KEYS.has(key)) clean[key] = value;
    }
    return clean;
  })(undefined, ...pipes);
