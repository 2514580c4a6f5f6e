import 'reflect-metadata';
import { runKeysReencrypt } from './keys-reencrypt.command.js';

// Entry point of `npm run keys:reencrypt`. The CLI boundary: arguments, environment and stdio come from the
// process.
process.exitCode = await runKeysReencrypt(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
