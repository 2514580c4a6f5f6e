import 'reflect-metadata';
import { Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { installGracefulShutdown } from './common/http/graceful-shutdown.js';
import { loadConfig, type AppConfig } from './config/index.js';
import {
  MigrationLockTimeoutError,
  DatabaseStartupError,
  waitForDatabase,
} from './database/index.js';
import { DevelopmentKeyRowsError } from './keys/index.js';

/**
 * Start-up refusals are one line on stderr and exit status 1, never a stack trace (docs/faults.md
 * "Start-up messages" lists each with its fix).
 */
function refuse(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** The one line for an error of `listen()` (EADDRINUSE, EACCES), or undefined for another error. */
function listenProblem(e: unknown, config: AppConfig): string | undefined {
  const code = (e as { code?: unknown }).code;
  if (code === 'EADDRINUSE') {
    return `port ${config.port} is in use (HOST ${config.host}): stop the other process or set PORT`;
  }
  if (code === 'EACCES') {
    return `port ${config.port} needs privileges this process lacks (HOST ${config.host}): set PORT above 1023`;
  }
  if (code === 'EADDRNOTAVAIL') {
    return `cannot listen on ${config.host}: no such local address, check HOST`;
  }
  return undefined;
}

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (e) {
    // A bad setting stops start-up with a message that names it, not with a stack trace.
    refuse(e instanceof Error ? e.message : String(e));
  }
  const bootLogger = new Logger('Bootstrap');
  try {
    await waitForDatabase(config.database, (message) => bootLogger.warn(message));
  } catch (e) {
    if (e instanceof DatabaseStartupError) refuse(e.message);
    throw e;
  }
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(), {
      bodyParser: false,
      logger: config.logLevels as LogLevel[],
      // Start-up lines wait for configureApp's JSON logger instead of going out as plain text.
      bufferLogs: true,
      // Errors reach the catch below (Nest would otherwise exit on its own, with a stack trace).
      abortOnError: false,
    });
  } catch (e) {
    if (e instanceof MigrationLockTimeoutError || e instanceof DatabaseStartupError) {
      refuse(e.message);
    }
    refuse(`start-up failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  configureApp(app);
  installGracefulShutdown(app, config.shutdownTimeoutMs);
  try {
    await app.listen(config.port, config.host);
  } catch (e) {
    // A start-up refusal that tells the operator what to run (issue 7 item 3), not a stack trace.
    const problem = e instanceof DevelopmentKeyRowsError ? e.message : listenProblem(e, config);
    if (problem === undefined) throw e;
    await app.close().catch(() => undefined);
    refuse(problem);
  }
  bootLogger.log(
    `AuthMS listening on ${config.host}:${config.port}; issuer ${config.issuer}; Swagger UI ${config.issuer}/api/docs`,
  );
}

void bootstrap();
