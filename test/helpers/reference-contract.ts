import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll } from 'vitest';
import { createTestApp, type TestApp } from './test-app.js';

/**
 * Reading the oauth-service reference (the copy in docs/reference/, so the contract tests run on any
 * clone) and the generated OpenAPI document, for the Swagger contract tests.
 */
export const REFERENCE_DIR = join(import.meta.dirname, '..', '..', 'docs', 'reference');
export const referenceApi = readFileSync(join(REFERENCE_DIR, 'oauth-service-api.md'), 'utf8');

/** Rows of the first markdown table after `heading` in `section`, without header and separator. */
export function tableRows(section: string, heading: RegExp): string[][] {
  const start = section.search(heading);
  if (start < 0) return [];
  const rows: string[][] = [];
  for (const line of section.slice(start).split('\n').slice(1)) {
    if (line.startsWith('|')) {
      rows.push(
        line
          .split('|')
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    } else if (rows.length > 0) break;
  }
  return rows.slice(2);
}

export const unquote = (cell: string) => cell.replace(/`/g, '');

/**
 * The schema name this server uses for a reference cell: `[`dto.X`](#…)`, `[`handler.X`](#…)` or
 * `[`gitee_com_linmes_authms_base_dto.X`](#…)` give `X`.
 */
export const bareName = (cell: string): string | undefined =>
  /`([^`]+)`/.exec(cell)?.[1].replace(/^(?:[A-Za-z_]*dto|handler)\./, '');

/** One operation (`#### On.`) of the reference. */
export interface ReferenceOperation {
  n: number;
  method: string;
  path: string;
  params: string[];
  bodyFields: string[];
  statuses: string[];
  /** Response schema per status (bare names). */
  schemas: Record<string, string | undefined>;
  /** Schema of the first 2xx response. */
  okSchema: string | undefined;
}

/** Operation On of the reference. */
export function referenceOperation(n: number): ReferenceOperation {
  const start = referenceApi.indexOf(`#### O${n}. `);
  if (start < 0) throw new Error(`no operation O${n} in the reference`);
  const ends = ['\n#### ', '\n### ', '\n## ']
    .map((h) => referenceApi.indexOf(h, start + 5))
    .filter((i) => i > 0);
  const section = referenceApi.slice(start, Math.min(...ends));
  const [, method, path] = /`(GET|POST|PUT|DELETE) ([^`]+)`/.exec(section)!;
  const responses = tableRows(section, /^Responses:/m);
  const schemas = Object.fromEntries(responses.map((r) => [r[0], bareName(r[2])]));
  const ok = responses.find((r) => r[0].startsWith('2'));
  return {
    n,
    method: method.toLowerCase(),
    path,
    params: tableRows(section, /^Request parameters/m).map((r) => unquote(r[0])),
    bodyFields: tableRows(section, /^Request body/m).map((r) => unquote(r[0])),
    statuses: responses.map((r) => r[0]),
    schemas,
    okSchema: ok ? schemas[ok[0]] : undefined,
  };
}

/** Field names of the catalogue schema `heading` (e.g. `dto.ClientRegistrationRequest`). */
export function referenceFields(heading: string): string[] {
  const start = referenceApi.indexOf(`#### \`${heading}\``);
  if (start < 0) throw new Error(`no schema ${heading} in the reference`);
  const section = referenceApi.slice(start, referenceApi.indexOf('\n#### ', start + 5));
  // Field rows start with a back-quoted name: | `redirect_uris` | array of string | ...
  return section
    .split('\n')
    .filter((l) => /^\| `/.test(l))
    .map((l) => unquote(l.split('|')[1].trim()));
}

/** The parts of an OpenAPI operation the contract tests read. */
export interface SwaggerOperation {
  parameters?: { name: string; in: string; schema?: Record<string, unknown> }[];
  requestBody?: { content: Record<string, { schema: { $ref: string } }> };
  responses: Record<
    string,
    { description?: string; content?: Record<string, { schema: { $ref?: string } }> }
  >;
  security?: Record<string, unknown>[];
  tags?: string[];
}

/** The parts of the OpenAPI document the contract tests read. */
export interface SwaggerDoc {
  paths: Record<string, Record<string, SwaggerOperation>>;
  components: {
    schemas: Record<
      string,
      {
        properties?: Record<
          string,
          { $ref?: string; items?: { $ref?: string } } & Record<string, unknown>
        >;
      } & Record<string, unknown>
    >;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
}

/** `#/components/schemas/X` -> `X`. */
export const schemaName = (ref: string | undefined) => ref?.replace('#/components/schemas/', '');

/** The OpenAPI document the running app serves. */
export async function swaggerDocument(t: TestApp): Promise<SwaggerDoc> {
  return (await request(t.url).get('/api/docs-json').expect(200)).body as SwaggerDoc;
}

/**
 * For a `describe` block of contract checks: boots a test app with the default settings before its tests,
 * reads the document it serves, and closes the app after them. `app()` is the running app, for checks
 * that also send the documented requests ("Try it out").
 */
export function useServedDocument(): { doc: () => SwaggerDoc; app: () => TestApp } {
  let t: TestApp | undefined;
  let doc: SwaggerDoc | undefined;
  beforeAll(async () => {
    t = await createTestApp();
    doc = await swaggerDocument(t);
  });
  afterAll(async () => {
    await t?.close();
  });
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('useServedDocument: read before beforeAll ran');
    return v;
  };
  return { doc: () => ready(doc), app: () => ready(t) };
}
