import type { ValueTransformer } from 'typeorm';

/**
 * Epoch seconds stored in a BIGINT column. mysql2 returns BIGINT as a string; this gives a number back on
 * both SQLite and MySQL.
 */
export const epochSeconds: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | number | null) => (v === null || v === undefined ? v : Number(v)),
};

/** A JSON value stored as TEXT: portable between SQLite and MySQL, unlike the `json`/`simple-json` types. */
export const jsonText: ValueTransformer = {
  to: (v: unknown) => (v === undefined || v === null ? null : JSON.stringify(v)),
  from: (v: string | null) => (v === null || v === undefined ? null : (JSON.parse(v) as unknown)),
};
