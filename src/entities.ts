import { AUTHORIZE_ENTITIES } from './authorize/index.js';
import { CLIENT_REGISTRATION_ENTITIES } from './client-registration/index.js';
import { KEYS_ENTITIES } from './keys/index.js';
import { TOKEN_ENTITIES } from './token/index.js';
import { USERS_ENTITIES } from './users/index.js';

/**
 * Every entity of the application (the rate-limit counters come with ClientRegistrationModule's), for
 * `ormconfig.ts`: the TypeORM CLI compares these with the database, so `migration:generate` finds a
 * changed entity. The application itself registers them through its modules (`autoLoadEntities`);
 * `test/schema-drift.e2e-spec.ts` checks that both lists agree. It lives beside `app.module.ts`, not in
 * `database/`: it names every feature module, and DatabaseModule imports none (ADR 0028).
 */
export const ENTITIES = [
  ...CLIENT_REGISTRATION_ENTITIES,
  ...TOKEN_ENTITIES,
  ...AUTHORIZE_ENTITIES,
  ...KEYS_ENTITIES,
  ...USERS_ENTITIES,
];
