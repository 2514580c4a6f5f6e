import { readFileSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** What one path of the document server answers. */
export type DocumentRoute = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * A local server of Client ID Metadata Documents (the test-only `CLIENT_ID_METADATA_ALLOW_PRIVATE=true`
 * lets the server fetch from loopback). Routes are added per test; every request is counted per path.
 * `https: true` serves with the test-only certificate of `test/fixtures/tls` (for clients, like the MCP
 * SDK, that insist on https client_id URLs).
 */
export async function serveDocuments(opts: { https?: boolean } = {}): Promise<{
  origin: string;
  route(path: string, handler: DocumentRoute): string;
  json(path: string, doc: (url: string) => unknown, headers?: Record<string, string>): string;
  hits(path: string): number;
  close(): Promise<void>;
}> {
  const routes = new Map<string, DocumentRoute>();
  const counts = new Map<string, number>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const route = routes.get(path);
    if (!route) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    route(req, res);
  };
  const server = opts.https
    ? createHttpsServer({ key: readFileSync(TLS_KEY), cert: readFileSync(TLS_CERT) }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `${opts.https ? 'https' : 'http'}://127.0.0.1:${port}`;
  return {
    origin,
    route(path, h) {
      routes.set(path, h);
      return `${origin}${path}`;
    },
    json(path, doc, headers = {}) {
      const url = `${origin}${path}`;
      routes.set(path, (_req, res) => {
        res.setHeader('content-type', 'application/json');
        for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
        res.end(JSON.stringify(doc(url)));
      });
      return url;
    },
    hits: (path) => counts.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const TLS_DIR = join(import.meta.dirname, '..', 'fixtures', 'tls');
/** Test-only self-signed certificate for 127.0.0.1 / localhost (not a secret; never used outside tests). */
export const TLS_CERT = join(TLS_DIR, 'loopback-cert.pem');
export const TLS_KEY = join(TLS_DIR, 'loopback-key.pem');
