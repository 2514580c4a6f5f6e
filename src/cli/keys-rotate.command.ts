import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { AppConfigModule } from '../config/config.module.js';
import { KeysService, SIGNING_ALGS, type SigningAlg } from '../keys/index.js';
import { CliModule } from './cli.module.js';
import { errorMessage, StderrLogger, type CliIo } from './cli-io.js';

const USAGE = `Usage: npm run keys:rotate [-- --alg <${SIGNING_ALGS.join('|')}> ...]

Creates a new signing key for every algorithm in use (KEYS_ALG for access tokens, TOKEN_ID_ALG for
ID tokens, and any other algorithm that has an active key in the database), or only for the
algorithms named with --alg (repeatable). Each new key signs from then on; the previous one stays
in the JWK Set until the tokens it signed have expired. Prints one line per new key: "<alg> <kid>".
`;

/**
 * `npm run keys:rotate`: creates new signing keys (one per algorithm in use, or per `--alg`) that become the
 * active keys for every instance (they re-read keys within a minute, or at once on an unknown kid). The
 * previous keys stay in the JWK Set until the tokens they signed have expired. Prints `<alg> <kid>` per new
 * key and nothing else on stdout. Returns the exit code: 0 rotated, 1 failed, 2 bad command line.
 */
export async function runKeysRotate(argv: string[], io: CliIo): Promise<number> {
  let algs: SigningAlg[] | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        alg: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    if (values.alg) {
      const unknown = values.alg.filter((a) => !(SIGNING_ALGS as string[]).includes(a));
      if (unknown.length > 0) throw new Error(`unsupported --alg ${unknown.join(', ')}`);
      algs = values.alg as SigningAlg[];
    }
  } catch (e) {
    io.stderr.write(`${errorMessage(e)}\n\n${USAGE}`);
    return 2;
  }
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
    const rotated = await app.get(KeysService).rotate({ algs });
    for (const key of rotated) io.stdout.write(`${key.alg} ${key.kid}\n`);
    return 0;
  } catch (e) {
    io.stderr.write(`keys:rotate failed: ${errorMessage(e)}\n`);
    return 1;
  } finally {
    await app?.close();
  }
}
