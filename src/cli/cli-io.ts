import type { LoggerService, LogLevel } from '@nestjs/common';

/** The process boundary of a CLI command, so commands run in-process in tests with fake streams. */
export interface CliIo {
  /** Environment (settings, `AUTHMS_USER_PASSWORD`); the entry file passes `process.env`. */
  env: Record<string, string | undefined>;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * A Nest logger for CLIs that writes to stderr only, so stdout carries nothing but the command's result
 * (a kid, a user id) and can be captured by scripts.
 */
export class StderrLogger implements LoggerService {
  constructor(
    private readonly stderr: NodeJS.WritableStream,
    private readonly levels: LogLevel[] = ['error', 'warn'],
  ) {}

  log(message: unknown, context?: string): void {
    this.write('log', message, context);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write(
      'error',
      message,
      rest.find((r) => typeof r === 'string'),
    );
  }
  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }
  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }
  verbose(message: unknown, context?: string): void {
    this.write('verbose', message, context);
  }

  private write(level: LogLevel, message: unknown, context?: string): void {
    if (!this.levels.includes(level)) return;
    const text = message instanceof Error ? message.message : String(message);
    this.stderr.write(`${level.toUpperCase()}${context ? ` [${context}]` : ''} ${text}\n`);
  }
}

/** The message of a thrown value, never a stack trace. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
