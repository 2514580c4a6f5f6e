import type { ValidationError } from '@nestjs/common';
import type { OAuthError } from '../errors/oauth-error.js';

/** Turns a field path and a message into the OAuth error to throw (e.g. `invalid_client_metadata`). */
export type FieldErrorFactory = (field: string, message: string) => OAuthError;

/** The first failing constraint, depth first, with its dotted path (`contacts.3`, `jwks`). */
export function firstValidationProblem(
  errors: ValidationError[],
  parent = '',
): { field: string; message: string } | null {
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const messages = Object.values(e.constraints ?? {});
    if (messages.length > 0) return { field, message: messages[0] };
    const nested = firstValidationProblem(e.children ?? [], field);
    if (nested) return nested;
  }
  return null;
}

/**
 * `exceptionFactory` for a `ValidationPipe` that throws an {@link OAuthError} naming the first bad field
 * instead of Nest's `{statusCode, message[]}` (RFC 7591 §3.2.2: the description says what is wrong).
 * Values are never echoed: they may be secrets.
 */
export function oauthValidationExceptionFactory(toError: FieldErrorFactory) {
  return (errors: ValidationError[]): OAuthError => {
    const problem = firstValidationProblem(errors) ?? {
      field: 'body',
      message: 'the request body is invalid',
    };
    return toError(problem.field, problem.message);
  };
}
