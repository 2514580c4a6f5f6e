import type { LoggerService, LogLevel } from '@nestjs/common';
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import type { ObservabilitySettings } from './observability.options.js';

/** Where a test or an embedder sends the log lines instead of stdout (`AppModuleOptions.logDestination`). */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');

/** The application's pino logger (one per application). */
export const PINO_LOGGER = Symbol('PINO_LOGGER');

/** Nest's level names and pino's, in increasing severity. */
const LEVELS: readonly [LogLevel, Level][] = [
  ['verbose', 'trace'],
  ['debug', 'debug'],
  ['log', 'info'],
  ['warn', 'warn'],
  ['error', 'error'],
  ['fatal', 'fatal'],
];

/** The pino level for `LOG_LEVEL`'s list of Nest levels: the least severe one listed. */
export function pinoLevel(nestLevels: readonly string[]): Level | 'silent' {
  for (const [nest, level] of LEVELS) if (nestLevels.includes(nest)) return level;
  return 'silent';
}

/**
 * Paths pino replaces by `[redacted]` in any object that is logged. The request lines carry none of
 * these (they never include headers or bodies); this is the net under code that logs an object later.
 * Plain paths only: wildcards would cost on every line.
 */
export const REDACTED_PATHS = [
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'headers.dpop',
  'body',
  'password',
  'client_secret',
  'client_assertion',
  'registration_access_token',
  'access_token',
  'refresh_token',
  'id_token',
  'code',
  'code_verifier',
  'token',
];

/** Whether the optional devDependency pino-pretty is installed (never in a production install). */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds the application's pino logger from the `logLevels` and `logFormat` options (`LOG_LEVEL`,
 * `LOG_FORMAT` in AuthMS): JSON lines on stdout
 * (production), or pino-pretty's human-readable output in development when it is installed. pino-pretty
 * runs in this thread as a stream (no worker thread), and is loaded only when used, so a production
 * install without devDependencies never needs it.
 */
export async function createPinoLogger(
  config: Pick<ObservabilitySettings, 'logLevels' | 'logFormat' | 'development'>,
  destination?: DestinationStream,
): Promise<Logger> {
  const options = {
    level: pinoLevel(config.logLevels),
    base: undefined, // no pid/hostname on every line: the platform adds where a line came from
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (destination) return pino(options, destination);
  const pretty =
    config.logFormat === 'pretty' ||
    (config.logFormat === undefined && config.development && prettyAvailable());
  if (pretty) {
    if (!prettyAvailable()) {
      process.stderr.write(
        'LOG_FORMAT=pretty needs the devDependency pino-pretty (npm install); logging JSON\n',
      );
    } else {
      // A variable specifier: the compiler and the dependency check must not treat it as a runtime import.
      const name = 'pino-pretty';
      const mod = (await import(name)) as {
        default: (o: object) => DestinationStream;
      };
      return pino(
        options,
        mod.default({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l' }),
      );
    }
  }
  return pino(options);
}

/**
 * Nest's logger on top of pino: every line of the application (start-up, warnings, errors) is a pino line
 * with its Nest context. Server errors name their request id in the message (the exception filter), which
 * ties them to the request's own line.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pino: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest, true);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest, true);
  }

  private write(level: Level, message: unknown, rest: unknown[], withStack = false): void {
    if (!this.pino.isLevelEnabled(level)) return;
    // Nest passes (message, context?) and, for errors, (message, stack?, context?).
    const fields: Record<string, unknown> = {};
    if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') {
      fields.context = rest[rest.length - 1];
    }
    if (withStack && rest.length > 1 && typeof rest[0] === 'string') fields.stack = rest[0];
    if (message instanceof Error) {
      fields.err = message;
      this.pino[level](fields, message.message);
    } else if (typeof message === 'string') {
      this.pino[level](fields, message);
    } else {
      fields.data = message;
      this.pino[level](fields);
    }
  }
}
