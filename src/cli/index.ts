// Public surface of the operator commands: each runs in-process with a `CliIo` (the tests call them so);
// `authms.ts` and the `*.ts` entry files run them from the command line.
export type { CliIo } from './cli-io.js';
export { runAuthms } from './authms.command.js';
export { runClientCreate } from './client-create.command.js';
export { runClientResources } from './client-resources.command.js';
export { OLD_KEY_ENV, runKeysReencrypt } from './keys-reencrypt.command.js';
export { runKeysRotate } from './keys-rotate.command.js';
export { runMigrate } from './migrate.command.js';
export { EXIT, PASSWORD_ENV, runUserCreate } from './user-create.command.js';
