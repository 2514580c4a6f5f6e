import { ApiProperty, ApiSchema } from '@nestjs/swagger';

/** The reference's `SimpleResponse`: the envelope without `data`, for results that carry none. */
export interface SimpleBody {
  code: number;
  message: string;
  /** RFC 3339 UTC. */
  timestamp: string;
}

/** A {@link SimpleBody} with the current time. */
export function simpleResponse(code: number, message: string): SimpleBody {
  return { code, message, timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

/** `SimpleResponse` (reference `gitee_com_linmes_authms_base_dto.SimpleResponse`). */
@ApiSchema({
  name: 'SimpleResponse',
  description: 'Result without data: {code, message, timestamp}',
})
export class SimpleResponse implements SimpleBody {
  @ApiProperty({ type: 'integer', example: 200, description: 'Echoes the HTTP status' })
  code!: number;
  @ApiProperty({ example: 'success', description: 'Human-readable result' })
  message!: string;
  @ApiProperty({
    example: '2026-04-15T10:30:00Z',
    description: 'RFC 3339 UTC time of the response',
  })
  timestamp!: string;
}
