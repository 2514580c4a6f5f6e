import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { AppConfigModule } from '../config/index.js';
import {
  decodeEncryptionKey,
  developmentEncryptionKey,
  KeyReencryptionService,
  ReencryptionError,
} from '../keys/index.js';
import { CliModule } from './cli.module.js';
import { errorMessage, StderrLogger, type CliIo } from './cli-io.js';

/** The environment variable `--from-key env` reads the old key from. */
export const OLD_KEY_ENV = 'KEYS_ENCRYPTION_KEY_OLD';

const USAGE = `Usage: npm run keys:reencrypt -- --from-key <dev | env | env:NAME | file:PATH>

Re-encrypts the stored private signing keys from an old key-encryption key to the current one:
KEYS_ENCRYPTION_KEY, or (SQLite without it) the key file beside the database, created if missing.
Run it with the same settings as the server. All keys change in one transaction, or none.

  --from-key dev        the built-in development key: what a server without KEYS_ENCRYPTION_KEY used
                        before (anyone can derive it: run npm run keys:rotate afterwards)
  --from-key env        the old key, base64 of 32 bytes, in the variable ${OLD_KEY_ENV}
  --from-key env:NAME   the old key in the environment variable NAME
  --from-key file:PATH  the old key in the file PATH (e.g. a former <database>.keys-encryption-key)

The old key is never taken from the command line itself (it would land in shell history).
Prints the kid of every re-encrypted key. Keys already under the current key are left alone.
`;

/**
 * `npm run keys:reencrypt` (issue 7 item 3). Returns the exit code: 0 done (also when nothing needed
 * re-encrypting), 1 refused (a key neither key opens, database, settings), 2 bad command line.
 */
export async function runKeysReencrypt(argv: string[], io: CliIo): Promise<number> {
  let from: Buffer;
  let fromDev: boolean;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { 'from-key': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    if (values.help) {
      io.stdout.write(USAGE);
      return 0;
    }
    const spec = values['from-key'];
    if (spec === undefined) throw new Error('--from-key is required');
    fromDev = spec === 'dev';
    from = readOldKey(spec, io.env);
  } catch (e) {
    io.stderr.write(`${errorMessage(e)}\n\n${USAGE}`);
    return 2;
  }
  try {
    AppConfigModule.load(io.env);
  } catch (e) {
    io.stderr.write(`${errorMessage(e)}\n`);
    return 1;
  }
  let app;
  try {
    app = await NestFactory.createApplicationContext(CliModule.forKeyMaintenance(io.env), {
      logger: new StderrLogger(io.stderr),
      abortOnError: false,
    });
    const service = app.get(KeyReencryptionService);
    const result = await service.reencrypt(from);
    for (const kid of result.reencrypted) io.stdout.write(`${kid}\n`);
    const current = service.currentKey;
    const target = current.source === 'file' ? `the key in ${current.file}` : 'KEYS_ENCRYPTION_KEY';
    io.stderr.write(
      `keys:reencrypt: ${result.reencrypted.length} re-encrypted under ${target}, ` +
        `${result.alreadyCurrent.length} already under it\n`,
    );
    if (fromDev && result.reencrypted.length > 0) {
      io.stderr.write(
        'keys:reencrypt: these keys were readable by anyone with a copy of the database: replace them ' +
          'with npm run keys:rotate\n',
      );
    }
    return 0;
  } catch (e) {
    const text = e instanceof ReencryptionError ? e.message : `failed: ${errorMessage(e)}`;
    io.stderr.write(`keys:reencrypt: ${text}\n`);
    return 1;
  } finally {
    await app?.close();
  }
}

function readOldKey(spec: string, env: Record<string, string | undefined>): Buffer {
  if (spec === 'dev') return developmentEncryptionKey();
  if (spec === 'env' || spec.startsWith('env:')) {
    const name = spec === 'env' ? OLD_KEY_ENV : spec.slice(4);
    const value = env[name];
    if (!value) throw new Error(`the environment variable ${name} is not set`);
    return decodeEncryptionKey(value, `The environment variable ${name}`);
  }
  if (spec.startsWith('file:')) {
    const path = spec.slice(5);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      throw new Error(
        `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`,
        { cause: e },
      );
    }
    return decodeEncryptionKey(text, `The file ${path}`);
  }
  // Never echo the value: it may be a key someone pasted.
  throw new Error('--from-key must be dev, env, env:NAME or file:PATH (never the key itself)');
}
