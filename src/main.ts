import 'reflect-metadata';
import { Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module.js';
import { configureApp } from './app.setup.js';
import { loadConfig } from './config/app-config.js';
import { DevelopmentKeyRowsError } from './keys/index.js';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    // A bad setting stops start-up with a message that names it, not with a stack trace.
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(), {
    bodyParser: false,
    logger: config.logLevels as LogLevel[],
    // Start-up lines wait for configureApp's JSON logger instead of going out as plain text.
    bufferLogs: true,
  });
  configureApp(app);
  try {
    await app.listen(config.port, config.host);
  } catch (e) {
    // A start-up refusal that tells the operator what to run (issue 7 item 3), not a stack trace.
    if (!(e instanceof DevelopmentKeyRowsError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  new Logger('Bootstrap').log(
    `AuthMS listening on ${config.host}:${config.port}; issuer ${config.issuer}; Swagger UI ${config.issuer}/api/docs`,
  );
}

void bootstrap();
