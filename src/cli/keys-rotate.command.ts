import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { Clock } from '../common/time/clock.js';
import { AppConfigModule } from '../config/index.js';
import { KeyStoreService, SIGNING_ALGS, type RotatedKey, type SigningAlg } from '../keys/index.js';
import { CliModule } from './cli.module.js';
import { errorMessage, StderrLogger, type CliIo } from './cli-io.js';

const USAGE = `Usage: npm run keys:rotate [-- --alg <${SIGNING_ALGS.join('|')}> ...] [--now]

Stages a new signing key for every algorithm in use (KEYS_ALG for access tokens, TOKEN_ID_ALG for
ID tokens, and any other algorithm that has a key in the database), or only for the algorithms
named with --alg (repeatable). A staged key is published in the JWK Set at once and signs from
KEYS_PUBLISH_AHEAD seconds later on every instance, with nothing more to run; the previous key
stays in the JWK Set until the tokens it signed have expired. If a key is already staged, it is
kept (and printed) and no new one is made. Prints one line per algorithm: "<alg> <kid>".

  --now   Emergency (compromised key): the new key signs at once and the algorithm's previous
          keys leave the JWK Set at once; the tokens they signed stop verifying. Relying parties
          that cached the JWK Set reject new tokens until they fetch it again (up to its max-age).
`;

/**
 * `npm run keys:rotate`: stages new signing keys (one per algorithm in use, or per `--alg`): published by
 * every instance at once, signing from `KEYS_PUBLISH_AHEAD` seconds later, decided by the times stored
 * with the keys (docs/keys.md). `--now` activates at once and withdraws the previous keys (emergency).
 * Prints `<alg> <kid>` per algorithm and nothing else on stdout; when each key signs goes to stderr.
 * Returns the exit code: 0 rotated, 1 failed, 2 bad command line.
 */
export async function runKeysRotate(argv: string[], io: CliIo): Promise<number> {
  let algs: SigningAlg[] | undefined;
  let immediately: boolean;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        alg: { type: 'string', multiple: true },
        now: { type: 'boolean' },
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
    immediately = values.now ?? false;
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
    const rotated = await app.get(KeyStoreService).rotate({ algs, immediately });
    const now = app.get(Clock).nowSeconds();
    for (const key of rotated) {
      io.stdout.write(`${key.alg} ${key.kid}\n`);
      io.stderr.write(`${describe(key, now)}\n`);
    }
    return 0;
  } catch (e) {
    io.stderr.write(`keys:rotate failed: ${errorMessage(e)}\n`);
    return 1;
  } finally {
    await app?.close();
  }
}

/** One line for the operator: what happened to the algorithm's key and when it signs. */
function describe(key: RotatedKey, now: number): string {
  const at = new Date(key.activatesAt * 1000).toISOString();
  if (key.activatesAt <= now) return `${key.alg} key ${key.kid} signs from now (${at})`;
  const what = key.alreadyStaged ? 'was already staged' : 'staged';
  return `${key.alg} key ${key.kid} ${what}: published now, signs from ${at} (in ${key.activatesAt - now} s)`;
}
