import 'reflect-metadata';
import { runUserCreate } from './user-create.command.js';

// Entry point of `npm run user:create`. The CLI boundary: arguments, environment and stdio come from the process.
process.exitCode = await runUserCreate(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
