import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy between the server under test and MariaDB that a test can stall and cut, to see how the
 * server behaves when its database is slow or gone without touching the real database (issue 9,
 * docs/faults.md):
 *
 * - `pause()`: stop forwarding in both directions; connections stay open and new ones are accepted, but
 *   no byte passes — a stalled database, or a network that drops packets.
 * - `cut()`: destroy every open connection, and every new one at once, until `resume()` — a database that
 *   went away.
 * - `resume()`: forward again (data held during a pause is delivered).
 */
export interface TcpProxy {
  /** The port the proxy listens on (127.0.0.1). */
  port: number;
  pause(): void;
  cut(): void;
  resume(): void;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** Starts a proxy on a free loopback port that forwards to `targetHost:targetPort`. */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let mode: 'forward' | 'pause' | 'cut' = 'forward';
  let accepted = 0;
  /** Each open connection: client and upstream socket, and the chunks held back while paused. */
  interface Pair {
    sockets: [Socket, Socket];
    held: { to: Socket; chunk: Buffer }[];
  }
  const pairs = new Set<Pair>();
  const destroy = (pair: Pair) => {
    for (const s of pair.sockets) s.destroy();
    pairs.delete(pair);
  };

  const server: Server = createServer((client) => {
    accepted++;
    if (mode === 'cut') {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    const pair: Pair = { sockets: [client, upstream], held: [] };
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) => {
      from.on('data', (chunk: Buffer) => {
        // While paused nothing is delivered; resume() sends what was held, in order.
        if (mode === 'pause') pair.held.push({ to, chunk });
        else to.write(chunk);
      });
      from.on('error', () => destroy(pair));
      from.on('close', () => destroy(pair));
    };
    forward(client, upstream);
    forward(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    get accepted() {
      return accepted;
    },
    pause() {
      mode = 'pause';
    },
    cut() {
      mode = 'cut';
      for (const pair of [...pairs]) destroy(pair);
    },
    resume() {
      mode = 'forward';
      for (const pair of pairs) {
        for (const { to, chunk } of pair.held) to.write(chunk);
        pair.held = [];
      }
    },
    async close() {
      mode = 'cut';
      for (const pair of [...pairs]) destroy(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
