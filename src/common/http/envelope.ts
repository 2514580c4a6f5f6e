import type { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

/** The oauth-service success envelope `{code, data, message, timestamp}` (reference §5.2). */
export interface Envelope<T> {
  /** Mirrors the HTTP status (the reference leaves the value open; the status is the real signal). */
  code: number;
  data: T;
  message: string;
  /** RFC 3339 UTC, e.g. `2026-04-15T10:30:00Z`. */
  timestamp: string;
}

/** Wraps `data` in the envelope. */
export function envelope<T>(code: number, data: T, message: string): Envelope<T> {
  return { code, data, message, timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

/**
 * Swagger class factory for an envelope around `model`. TypeScript emits no metadata for generics
 * (nestjs/swagger#86), so each payload gets a concrete named subclass:
 * `class ClientRegistrationDetailResponse extends Enveloped(ClientRegistrationResponse) {}`.
 */
export function Enveloped<T>(model: Type<T>): Type<Envelope<T>> {
  abstract class EnvelopeClass implements Envelope<T> {
    @ApiProperty({ type: 'integer', example: 200, description: 'Echoes the HTTP status' })
    code!: number;
    @ApiProperty({ type: () => model })
    data!: T;
    @ApiProperty({ example: 'success', description: 'Human-readable result' })
    message!: string;
    @ApiProperty({
      example: '2026-04-15T10:30:00Z',
      description: 'RFC 3339 UTC time of the response',
    })
    timestamp!: string;
  }
  return EnvelopeClass as unknown as Type<Envelope<T>>;
}
