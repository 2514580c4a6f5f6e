import 'reflect-metadata';
import { runKeysRotate } from './keys-rotate.command.js';

// Entry point of `npm run keys:rotate`. The CLI boundary: arguments, environment and stdio come from the
// process.
process.exitCode = await runKeysRotate(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
