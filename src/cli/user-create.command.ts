import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { AppConfigModule } from '../config/index.js';
import { InvalidUserError, UsernameTakenError, UsersService } from '../users/index.js';
import { CliModule } from './cli.module.js';
import { errorMessage, StderrLogger, type CliIo } from './cli-io.js';

/** Environment variable the password may come from, so it stays out of shell history and `ps`. */
export const PASSWORD_ENV = 'AUTHMS_USER_PASSWORD';

/** Exit codes: 0 created, 1 refused (duplicate, policy, database), 2 bad command line. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const USAGE = `Usage: npm run user:create -- --username <name> [--email <addr>] [--email-verified]
         [--name <full name>] [--given-name <name>] [--family-name <name>] [--password <pw>]
         [--role admin]

--role (repeatable) gives the user a role: "admin" lets them obtain the admin scope of the
administration API through a client an operator allowed it (docs/administration.md).

The password is read, in order, from --password (discouraged: it lands in shell history),
the ${PASSWORD_ENV} environment variable, or standard input (first line; hidden when typed
at a terminal). Prints the new user's id (the OIDC "sub").
`;

/**
 * `npm run user:create`: creates an end-user with an argon2id password hash and prints its id. Runs
 * against the database the server's settings point at (migrations run first). Returns the exit code.
 */
export async function runUserCreate(argv: string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        username: { type: 'string' },
        password: { type: 'string' },
        email: { type: 'string' },
        'email-verified': { type: 'boolean' },
        name: { type: 'string' },
        'given-name': { type: 'string' },
        'family-name': { type: 'string' },
        role: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    io.stderr.write(`${errorMessage(e)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (!values.username) {
    io.stderr.write(`--username is required\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    AppConfigModule.load(io.env);
  } catch (e) {
    io.stderr.write(`${errorMessage(e)}\n`);
    return EXIT.failed;
  }

  let password = values.password;
  if (password !== undefined) {
    io.stderr.write(
      `warning: --password is visible in shell history and the process list; prefer ${PASSWORD_ENV} or stdin\n`,
    );
  } else if (io.env[PASSWORD_ENV]) {
    password = io.env[PASSWORD_ENV];
  } else {
    password = await readPassword(io);
  }

  let app;
  try {
    app = await NestFactory.createApplicationContext(CliModule.forRoot(io.env), {
      logger: new StderrLogger(io.stderr),
      abortOnError: false,
    });
    const user = await app.get(UsersService).create({
      username: values.username,
      password,
      email: values.email,
      emailVerified: values['email-verified'] ?? false,
      name: values.name,
      givenName: values['given-name'],
      familyName: values['family-name'],
      roles: values.role ?? [],
    });
    io.stdout.write(`${user.id}\n`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof InvalidUserError || e instanceof UsernameTakenError) {
      io.stderr.write(`user:create: ${e.message}\n`);
    } else {
      io.stderr.write(`user:create failed: ${errorMessage(e)}\n`);
    }
    return EXIT.failed;
  } finally {
    await app?.close();
  }
}

/**
 * Reads the password from stdin: the first line of piped input, or a line typed at a terminal with echo
 * off (raw mode), so it never appears on screen.
 */
async function readPassword(io: CliIo): Promise<string> {
  const { stdin } = io;
  if (stdin.isTTY && typeof stdin.setRawMode === 'function') {
    io.stderr.write('Password: ');
    stdin.setRawMode(true);
    try {
      return await new Promise<string>((resolve, reject) => {
        let typed = '';
        const onData = (chunk: Buffer | string) => {
          for (const ch of chunk.toString()) {
            if (ch === '\r' || ch === '\n' || ch === '\u0004') {
              stdin.removeListener('data', onData);
              io.stderr.write('\n');
              resolve(typed);
              return;
            }
            if (ch === '\u0003') {
              stdin.removeListener('data', onData);
              reject(new Error('interrupted'));
              return;
            }
            typed = ch === '\u007f' || ch === '\b' ? [...typed].slice(0, -1).join('') : typed + ch;
          }
        };
        stdin.on('data', onData);
        stdin.resume();
      });
    } finally {
      stdin.setRawMode(false);
      stdin.pause();
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) {
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}
