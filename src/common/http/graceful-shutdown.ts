import type { Server } from 'node:http';
import { Logger, type INestApplication } from '@nestjs/common';

/** What {@link installGracefulShutdown} does at the end; `process.exit` outside tests. */
export type ExitFn = (code: number) => void;

/**
 * Graceful shutdown on SIGTERM / SIGINT (docs/faults.md "Graceful shutdown"): stop accepting connections at
 * once, let in-flight requests finish for up to `timeoutMs`, then close the app (its hooks, and the
 * TypeORM DataSource with its pool, which the in-flight requests needed until then) and exit 0. Requests still open at the deadline are cut and the exit code is 1,
 * so a supervisor can tell a clean stop from a forced one. A second signal does not start a second
 * shutdown.
 *
 * Replaces Nest's `enableShutdownHooks()`, which waits without a bound and ends by re-sending the signal
 * to itself (exit status 143, not 0).
 */
export function installGracefulShutdown(
  app: INestApplication,
  timeoutMs: number,
  exit: ExitFn = (code) => process.exit(code),
): void {
  const server = app.getHttpServer() as Server;
  const logger = new Logger('Shutdown');
  let closing = false;
  // A keep-alive connection whose request finishes during the shutdown is closed, not kept for another.
  server.on('request', (_req, res) => {
    res.on('finish', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    let forced = false;
    const deadline = setTimeout(() => {
      forced = true;
      logger.warn(`in-flight requests still open after ${timeoutMs} ms: closing their connections`);
      server.closeAllConnections();
    }, timeoutMs);
    // Stop listening now (Nest would only after its destroy hooks) and wait for the last connection;
    // only then close the app, which closes the database pool the in-flight requests were using.
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    // The listening socket is closed at the end of this event-loop turn: say so only after that, so that
    // whoever reads this line (an orchestrator, the tests) finds new connections refused.
    setTimeout(() => {
      logger.log(`${signal}: shutting down; in-flight requests have ${timeoutMs} ms to finish`);
    }, 0);
    drained
      .then(() => {
        clearTimeout(deadline);
        return app.close();
      })
      .then(
        () => {
          logger.log('stopped: connections and database pool closed');
          exit(forced ? 1 : 0);
        },
        (e: unknown) => {
          logger.error(`shutdown failed: ${e instanceof Error ? e.message : String(e)}`);
          exit(1);
        },
      );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
