import { errorMessage, type CliIo } from './cli-io.js';

/** A subcommand: its one-line summary and how to run it (loaded on demand, so each starts fast). */
interface Subcommand {
  summary: string;
  run: (argv: string[], io: CliIo) => Promise<number>;
}

/**
 * The subcommands of `authms`, each also an npm script of the same name (`npm run user:create` runs
 * `authms user:create`'s code). `start` runs the server in this process.
 */
export const SUBCOMMANDS: Record<string, Subcommand> = {
  start: {
    summary: 'run the server (the same as npm start)',
    run: async () => {
      await import('../main.js');
      return 0;
    },
  },
  migrate: {
    summary: 'run pending database migrations (--revert: undo the last)',
    run: async (argv, io) => (await import('./migrate.command.js')).runMigrate(argv, io),
  },
  'user:create': {
    summary: 'create a user who can sign in',
    run: async (argv, io) => (await import('./user-create.command.js')).runUserCreate(argv, io),
  },
  'keys:rotate': {
    summary: 'stage new signing keys (docs/keys.md)',
    run: async (argv, io) => (await import('./keys-rotate.command.js')).runKeysRotate(argv, io),
  },
  'keys:reencrypt': {
    summary: 're-encrypt the private signing keys under a new KEYS_ENCRYPTION_KEY',
    run: async (argv, io) =>
      (await import('./keys-reencrypt.command.js')).runKeysReencrypt(argv, io),
  },
  'client:resources': {
    summary: "set or show a client's allowed RFC 8707 resources",
    run: async (argv, io) =>
      (await import('./client-resources.command.js')).runClientResources(argv, io),
  },
  'client:create': {
    summary:
      'create a confidential client (--admin: allowed the admin scope); prints its credentials',
    run: async (argv, io) => (await import('./client-create.command.js')).runClientCreate(argv, io),
  },
};

/** The usage text: every subcommand with its summary. */
export function usage(): string {
  const width = Math.max(...Object.keys(SUBCOMMANDS).map((n) => n.length));
  const lines = Object.entries(SUBCOMMANDS).map(
    ([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`,
  );
  return `Usage: authms <command> [options]   (authms <command> --help for its options)\n\nCommands:\n${lines.join('\n')}\n`;
}

/**
 * `authms <command> [args]`: dispatches to a subcommand. Returns the exit code: the subcommand's, or 2
 * for a missing or unknown command (0 for `--help`).
 */
export async function runAuthms(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (!command) {
    io.stderr.write(`authms: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    io.stderr.write(`authms ${name}: ${errorMessage(e)}\n`);
    return 1;
  }
}
