import { Catch } from '@nestjs/common';
import { SimpleResponseExceptionFilter } from '../common/errors/simple-response-exception.filter.js';
import { ADMIN_MESSAGES } from './admin.constants.js';

/**
 * Renders every error of the administration API in the reference's `SimpleResponse` shape with its
 * standard texts (401 "Unauthenticated: provide a valid Bearer Token", 403 "Insufficient permissions:
 * administrator role required", ...), plus the OAuth `error` / `error_description` and the RFC 6750 §3
 * `WWW-Authenticate` challenge ({@link SimpleResponseExceptionFilter}).
 */
@Catch()
export class AdminExceptionFilter extends SimpleResponseExceptionFilter {
  constructor() {
    super(ADMIN_MESSAGES, 'AdminError');
  }
}
