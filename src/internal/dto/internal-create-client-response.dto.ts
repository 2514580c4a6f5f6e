import { ApiSchema } from '@nestjs/swagger';
import { CreateClientResponse } from '../../admin/index.js';
import { Enveloped } from '../../common/http/envelope.js';

/** `DataResponse-dto_CreateClientResponse` (reference O50): the created client in the envelope. */
@ApiSchema({
  name: 'DataResponse-dto_CreateClientResponse',
  description: 'Internally created client in the oauth-service envelope (secret shown once)',
})
export class InternalCreateClientResponse extends Enveloped(CreateClientResponse) {}
