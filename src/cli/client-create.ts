import 'reflect-metadata';
import { runClientCreate } from './client-create.command.js';

// Entry point of `npm run client:create`. The CLI boundary: arguments, environment and stdio come from the
// process.
process.exitCode = await runClientCreate(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
