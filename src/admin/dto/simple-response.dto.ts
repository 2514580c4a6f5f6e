import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * The reference's `SimpleResponse` (`{code, message, timestamp}`, reference §5.4): every error of the
 * administration API, and its successes without data. Errors also carry the OAuth pair
 * `error` / `error_description` (RFC 6750 §3.1), so OAuth tooling reads them too.
 */
export class SimpleResponse {
  @ApiProperty({ type: 'integer', example: 403, description: 'Echoes the HTTP status' })
  code!: number;

  @ApiProperty({ example: 'Insufficient permissions: administrator role required' })
  message!: string;

  @ApiProperty({
    example: '2026-04-15T10:30:00Z',
    description: 'RFC 3339 UTC time of the response',
  })
  timestamp!: string;

  @ApiPropertyOptional({
    example: 'insufficient_scope',
    description: 'Errors only: the OAuth error code (RFC 6750 §3.1, RFC 6749 §5.2)',
  })
  error?: string;

  @ApiPropertyOptional({
    description: 'Errors only: what exactly is wrong (never echoes a secret)',
  })
  error_description?: string;
}

/** The reference's `PageInfo`: the pagination block of every admin list. */
export class PageInfo {
  @ApiProperty({ description: 'HasNext indicates whether there is a next page' })
  has_next!: boolean;

  @ApiProperty({ description: 'HasPrev indicates whether there is a previous page' })
  has_prev!: boolean;

  @ApiProperty({ type: 'integer', description: 'Page is the current page number (1-based)' })
  page!: number;

  @ApiProperty({ type: 'integer', description: 'PageSize is the number of items per page' })
  page_size!: number;

  @ApiProperty({
    type: 'integer',
    description: 'Total is the total number of items across all pages',
  })
  total!: number;

  @ApiProperty({ type: 'integer', description: 'TotalPages is the total number of pages' })
  total_pages!: number;
}

/** Builds the `PageInfo` of page `page` (1-based) of `total` items, `pageSize` per page. */
export function pageInfo(page: number, pageSize: number, total: number): PageInfo {
  const totalPages = Math.ceil(total / pageSize);
  return {
    has_next: page < totalPages,
    has_prev: page > 1,
    page,
    page_size: pageSize,
    total,
    total_pages: totalPages,
  };
}

/** RFC 3339 UTC without milliseconds, as the envelope's `timestamp`. */
export function rfc3339(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
