import { NestFactory } from '@nestjs/core';
import { AppConfigModule } from '../config/config.module.js';
import { KeysService } from '../keys/index.js';
import { CliModule } from './cli.module.js';
import { errorMessage, StderrLogger, type CliIo } from './cli-io.js';

/**
 * `npm run keys:rotate`: creates a signing key (algorithm `KEYS_ALG`) that becomes the active key for every
 * instance (they re-read keys within a minute, or at once on an unknown kid). The previous key stays in the
 * JWK Set until the tokens it signed have expired. Prints the new kid only. Returns the exit code.
 */
export async function runKeysRotate(io: CliIo): Promise<number> {
  try {
    // Fail on a bad setting with its message, before Nest prints anything.
    AppConfigModule.load(io.env);
  } catch (e) {
    io.stderr.write(`${errorMessage(e)}\n`);
    return 1;
  }
  const logger = new StderrLogger(io.stderr);
  let app;
  try {
    app = await NestFactory.createApplicationContext(CliModule.forRoot(io.env), {
      logger,
      abortOnError: false,
    });
    const kid = await app.get(KeysService).rotate();
    io.stdout.write(`${kid}\n`);
    return 0;
  } catch (e) {
    io.stderr.write(`keys:rotate failed: ${errorMessage(e)}\n`);
    return 1;
  } finally {
    await app?.close();
  }
}
