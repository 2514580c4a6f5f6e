// Public surface of UsersModule: other modules import only from here.
export { UsersModule } from './users.module.js';
export {
  UsersService,
  InvalidUserError,
  UsernameTakenError,
  type CreateUserInput,
  type User,
} from './users.service.js';
