import { ValidationPipe } from '@nestjs/common';
import { OAuthError } from '../common/errors/oauth-error.js';
import { oauthValidationExceptionFactory } from '../common/validation/validation-exception.factory.js';

/**
 * Body validation of the registration endpoints: unknown metadata is dropped, not rejected (RFC 7591 §2:
 * `whitelist` without `forbidNonWhitelisted`); a wrong type is 400 `invalid_client_metadata` naming the
 * field (RFC 7591 §3.2.2); values are never echoed. Client ID Metadata Documents go through it too.
 */
export const metadataPipe = new ValidationPipe({
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
