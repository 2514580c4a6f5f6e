import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { OAuthErrorResponse } from './oauth-error-response.dto.js';

/**
 * Documents error statuses of an operation with `OAuthErrorResponse`. Pass `[status, description]` pairs
 * so each operation keeps the reference's wording, e.g.
 * `@ApiOAuthErrors([401, 'invalid_token: missing or invalid Registration Access Token'])`.
 */
export const ApiOAuthErrors = (...errors: [number, string][]) =>
  applyDecorators(
    ...errors.map(([status, description]) =>
      ApiResponse({ status, description, type: OAuthErrorResponse }),
    ),
  );
