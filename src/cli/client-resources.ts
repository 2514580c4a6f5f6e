import 'reflect-metadata';
import { runClientResources } from './client-resources.command.js';

// Entry point of `npm run client:resources`. The CLI boundary: arguments, environment and stdio come from
// the process.
process.exitCode = await runClientResources(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
