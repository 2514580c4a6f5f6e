import { ValidationPipe } from '@nestjs/common';
import { OAuthError } from '../common/errors/oauth-error.js';
import { CompiledValidationPipe } from '../common/validation/compiled-validation.pipe.js';
import { oauthValidationExceptionFactory } from '../common/validation/validation-exception.factory.js';

/**
 * The ValidationPipe of the registration bodies: unknown metadata is dropped, not rejected (RFC 7591 §2:
 * `whitelist` without `forbidNonWhitelisted`); a wrong type is 400 `invalid_client_metadata` naming the
 * field (RFC 7591 §3.2.2); values are never echoed.
 */
export function metadataValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: false,
    forbidUnknownValues: false,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validateCustomDecorators: true,
    validationError: { target: false, value: false },
    stopAtFirstError: true,
    exceptionFactory: oauthValidationExceptionFactory((field, message) =>
      OAuthError.invalidClientMetadata(message.includes(field) ? message : `${field}: ${message}`),
    ),
  });
}

/**
 * Body validation of the registration endpoints ({@link metadataValidationPipe}'s rules and answers).
 * Client ID Metadata Documents go through it too. A valid body of primitives and string arrays (every
 * registration the bench sends, and most real ones) is checked in one compiled pass
 * ({@link CompiledValidationPipe}, issue 11); anything else, errors included, goes through the
 * ValidationPipe, which words the error.
 */
export const metadataPipe = new CompiledValidationPipe(metadataValidationPipe());
