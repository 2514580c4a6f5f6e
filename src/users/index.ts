// Public surface of UsersModule: other modules import only from here.
export { UsersModule } from './users.module.js';
export {
  UsersService,
  InvalidUserError,
  UsernameTakenError,
  USER_ROLES,
  type UserRole,
  type CreateUserInput,
  type User,
} from './users.service.js';
import { UserEntity } from './entities/user.entity.js';
/** The entities of UsersModule, for a host's TypeORM connection and `ormconfig.ts`. */
export const USERS_ENTITIES = [UserEntity];
