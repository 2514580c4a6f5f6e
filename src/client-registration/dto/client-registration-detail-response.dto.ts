import { ApiSchema } from '@nestjs/swagger';
import { Enveloped } from '../../common/http/envelope.js';
import { ClientRegistrationResponse } from './client-registration-response.dto.js';

/** `ClientRegistrationDetailResponse` (reference): the `{code, data, message, timestamp}` envelope. */
@ApiSchema({ description: 'Client registration in the oauth-service envelope' })
export class ClientRegistrationDetailResponse extends Enveloped(ClientRegistrationResponse) {}
