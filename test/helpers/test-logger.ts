import type { LoggerService, LogLevel } from '@nestjs/common';

/** Levels kept for a failing test's report; `log`, `debug` and `verbose` (route maps, fetches) are dropped. */
const KEPT: ReadonlySet<LogLevel> = new Set(['fatal', 'error', 'warn']);

/**
 * The logger of every test app (and of Nest's static `Logger` in every test file): it keeps warnings and
 * errors in memory instead of printing them, so that a green run shows no stack traces from tests that
 * provoke errors on purpose. `test/setup/per-file.ts` empties it before each test and prints it when that
 * test fails, so a failure still comes with the server's own account of it.
 */
class BufferingTestLogger implements LoggerService {
  private lines: string[] = [];

  log(): void {}
  debug(): void {}
  verbose(): void {}
  fatal(message: unknown, ...rest: unknown[]): void {
    this.keep('fatal', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.keep('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.keep('warn', message, rest);
  }

  /**
   * A pino destination that keeps the app's JSON lines (at the test `LOG_LEVEL=error`, the request lines
   * of 5xx answers) with the rest, so a failing test shows them too.
   */
  readonly destination = {
    write: (line: string): void => {
      this.lines.push(`[json] ${line.trimEnd()}`);
    },
  };

  /** Forgets what was logged so far. */
  clear(): void {
    this.lines = [];
  }

  /** What was logged since the last {@link clear}, one entry per call. */
  take(): string[] {
    const lines = this.lines;
    this.lines = [];
    return lines;
  }

  private keep(level: LogLevel, message: unknown, rest: unknown[]): void {
    if (!KEPT.has(level)) return;
    // Nest passes (message, stack?, context?) for errors and (message, context?) otherwise.
    const parts = [message, ...rest].map((p) =>
      p instanceof Error ? (p.stack ?? p.message) : typeof p === 'string' ? p : JSON.stringify(p),
    );
    this.lines.push(`[${level}] ${parts.join('\n  ')}`);
  }
}

/** The one buffering logger of this test worker. */
export const testLogger = new BufferingTestLogger();
