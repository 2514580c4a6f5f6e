import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { Repository } from 'typeorm';
import { newUlid } from '../common/crypto/ids.js';
import { EntityColumns, HotSql } from '../common/database/hot-sql.js';
import { UserEntity } from './entities/user.entity.js';
import {
  ARGON2_OPTIONS,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  USER_ID_PATTERN,
  USERNAME_MAX_LENGTH,
  USERNAME_PATTERN,
} from './users.constants.js';

/** An end-user as the rest of the server sees it (no password hash). */
export interface User {
  /** `usr_` + ULID; the OIDC `sub` (OIDC Core §2). */
  id: string;
  /** Normalised (NFC, lower case); the `preferred_username` claim. */
  username: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  givenName: string | null;
  familyName: string | null;
  /** Epoch seconds of the last change (`updated_at` claim, OIDC Core §5.1). */
  updatedAt: number;
  /** Role names, e.g. `admin` (issue 8). */
  roles: string[];
}

/** Role names a user may have. `admin` lets the user obtain the `admin` scope (issue 8). */
export const USER_ROLES = ['admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** Input of {@link UsersService.create}. */
export interface CreateUserInput {
  username: string;
  password: string;
  email?: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  emailVerified?: boolean;
  /** Roles from {@link USER_ROLES}. */
  roles?: string[];
}

/** The input to {@link UsersService.create} breaks a rule (message says which; never echoes the password). */
export class InvalidUserError extends Error {
  override name = 'InvalidUserError';
}

/** {@link UsersService.create} was given a username that is already registered. */
export class UsernameTakenError extends Error {
  override name = 'UsernameTakenError';
  constructor(username: string) {
    super(`username "${username}" is already taken`);
  }
}

/**
 * End-users: creation with an argon2id password hash (RFC 9106), credential checks that cost the same
 * whether or not the user exists, and the OpenID Connect standard claims (OIDC Core §5.1, §5.4).
 */
@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);
  /** Hash of a random password, verified against when the user does not exist (equal work either way). */
  private dummyHash: Promise<string> | null = null;

  constructor(@InjectRepository(UserEntity) private readonly users: Repository<UserEntity>) {}

  /**
   * Creates a user. Usernames are NFC-normalised, lower-cased and unique; passwords need
   * {@link PASSWORD_MIN_LENGTH}..{@link PASSWORD_MAX_LENGTH} characters (NIST SP 800-63B §5.1.1.2) and are
   * stored only as an argon2id hash. Throws {@link InvalidUserError} or {@link UsernameTakenError}.
   */
  async create(input: CreateUserInput): Promise<User> {
    const username = normaliseUsername(input.username);
    if (!username) {
      throw new InvalidUserError(
        `username must be 1-${USERNAME_MAX_LENGTH} characters of letters, digits and . _ @ + -`,
      );
    }
    const password = normalisePassword(input.password);
    const length = [...password].length;
    if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
      throw new InvalidUserError(
        `password must be ${PASSWORD_MIN_LENGTH}-${PASSWORD_MAX_LENGTH} characters long`,
      );
    }
    const email = input.email === undefined ? null : checkEmail(input.email);
    const name = optionalText('name', input.name);
    const givenName = optionalText('given name', input.givenName);
    const familyName = optionalText('family name', input.familyName);
    const roles = [...new Set(input.roles ?? [])];
    const unknownRole = roles.find((r) => !(USER_ROLES as readonly string[]).includes(r));
    if (unknownRole !== undefined) {
      throw new InvalidUserError(
        `unknown role "${unknownRole.slice(0, 32)}" (known: ${USER_ROLES.join(', ')})`,
      );
    }

    if (await this.users.exist({ where: { username } })) throw new UsernameTakenError(username);
    const passwordHash = await argon2.hash(password, ARGON2_OPTIONS);
    const id = `usr_${newUlid()}`;
    try {
      await this.users.insert({
        id,
        username,
        passwordHash,
        email,
        emailVerified: email !== null && input.emailVerified === true,
        name,
        givenName,
        familyName,
        roles: roles.join(' '),
      });
    } catch (e) {
      // Two creations of one username at once: the unique index decides, the loser gets a clear error.
      if (await this.users.exist({ where: { username } })) throw new UsernameTakenError(username);
      throw e;
    }
    const created = await this.users.findOneByOrFail({ id });
    this.logger.log(`Created user ${id}`);
    return toUser(created);
  }

  /**
   * Checks a username and password. Returns the user, or null for an unknown user or a wrong password;
   * an unknown user costs one argon2 verification too, so timing does not reveal which usernames exist.
   * A hash made with weaker parameters than today's is upgraded on success.
   */
  async verifyCredentials(username: string, password: string): Promise<User | null> {
    if (typeof username !== 'string' || typeof password !== 'string') return null;
    const normalisedPassword = normalisePassword(password);
    // Bounded work for absurd inputs, independent of whether the user exists.
    if ([...normalisedPassword].length > PASSWORD_MAX_LENGTH) return null;
    const normalisedUsername = normaliseUsername(username);
    const row = normalisedUsername
      ? await this.users
          .createQueryBuilder('u')
          .addSelect('u.passwordHash')
          .where('u.username = :username', { username: normalisedUsername })
          .getOne()
      : null;
    if (!row) {
      await argon2.verify(await this.getDummyHash(), normalisedPassword).catch(() => false);
      return null;
    }
    let ok: boolean;
    try {
      ok = await argon2.verify(row.passwordHash, normalisedPassword);
    } catch {
      this.logger.error(`Stored password hash of user ${row.id} is unreadable`);
      return null;
    }
    if (!ok) return null;
    if (argon2.needsRehash(row.passwordHash, ARGON2_OPTIONS)) {
      const passwordHash = await argon2.hash(normalisedPassword, ARGON2_OPTIONS);
      // Not a profile change: keep updated_at (the `updated_at` claim) as it was.
      await this.users
        .createQueryBuilder()
        .update()
        .set({ passwordHash, updatedAt: () => 'updated_at' })
        .where('id = :id', { id: row.id })
        .execute();
    }
    return toUser(row);
  }

  /** The user with this `sub`, or null (also for ids that cannot be ours). */
  async findById(id: string): Promise<User | null> {
    if (typeof id !== 'string' || !USER_ID_PATTERN.test(id)) return null;
    // Constant SQL (ADR 0072): the code exchange, refresh and introspection read the user per request.
    const read = this.byIdReader();
    const [row] = await read.hot.rows(read.sql, [id]);
    const entity = row ? read.columns.map(row) : null;
    return entity ? toUser(entity) : null;
  }

  /** The statement of {@link findById}, built on first use (the same columns `findOneBy` selects). */
  private byIdReader(): { hot: HotSql; columns: EntityColumns<UserEntity>; sql: string } {
    if (!this.byId) {
      const connection = this.users.manager.connection;
      const columns = new EntityColumns(connection, UserEntity, 'u');
      this.byId = {
        hot: HotSql.of(connection),
        columns,
        sql: `SELECT ${columns.select} FROM \`users\` u WHERE u.\`id\` = ?`,
      };
    }
    return this.byId;
  }

  private byId?: { hot: HotSql; columns: EntityColumns<UserEntity>; sql: string };

  /**
   * Whether the user exists and has `role` now (read from the database on every call, so taking a role
   * away takes effect at once on every instance).
   */
  async hasRole(id: string, role: UserRole): Promise<boolean> {
    const user = await this.findById(id);
    return user?.roles.includes(role) ?? false;
  }

  /**
   * Standard claims for the granted scopes (OIDC Core §5.4): always `sub`; `profile` adds `name`,
   * `given_name`, `family_name`, `preferred_username`, `updated_at`; `email` adds `email` and
   * `email_verified`. Claims without a value are omitted (§5.3.2).
   */
  claimsFor(user: User, scopes: string[]): Record<string, unknown> {
    const claims: Record<string, unknown> = { sub: user.id };
    if (scopes.includes('profile')) {
      if (user.name !== null) claims.name = user.name;
      if (user.givenName !== null) claims.given_name = user.givenName;
      if (user.familyName !== null) claims.family_name = user.familyName;
      claims.preferred_username = user.username;
      claims.updated_at = user.updatedAt;
    }
    if (scopes.includes('email') && user.email !== null) {
      claims.email = user.email;
      claims.email_verified = user.emailVerified;
    }
    return claims;
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= argon2.hash(randomBytes(16).toString('base64url'), ARGON2_OPTIONS);
    return this.dummyHash;
  }
}

function toUser(row: UserEntity): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    emailVerified: Boolean(row.emailVerified),
    name: row.name,
    givenName: row.givenName,
    roles: (row.roles ?? '').split(' ').filter(Boolean),
    familyName: row.familyName,
    updatedAt: Math.floor(new Date(row.updatedAt).getTime() / 1000),
  };
}

/** NFC + lower case, so `Alice` and `alice` are one account on every database; null when invalid. */
function normaliseUsername(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const v = raw.trim().normalize('NFC').toLowerCase();
  if ([...v].length < 1 || [...v].length > USERNAME_MAX_LENGTH || !USERNAME_PATTERN.test(v)) {
    return null;
  }
  return v;
}

/** NFKC, as NIST SP 800-63B §5.1.1.2 recommends, so the same password typed differently still matches. */
function normalisePassword(raw: unknown): string {
  return typeof raw === 'string' ? raw.normalize('NFKC') : '';
}

function checkEmail(raw: string): string {
  const v = typeof raw === 'string' ? raw.trim() : '';
  // Deliberately loose (RFC 5321 §4.5.3.1.3 length, one @, no spaces or controls): the mailbox is
  // proven by verification, not by a regular expression.
  if (v.length > 254 || !/^[^\s@\p{Cc}]+@[^\s@\p{Cc}]+$/u.test(v)) {
    throw new InvalidUserError('email must be an address like name@example.com');
  }
  return v;
}

function optionalText(label: string, raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const v = typeof raw === 'string' ? raw.trim() : '';
  if (v.length === 0) return null;
  if ([...v].length > 255 || /\p{Cc}/u.test(v)) {
    throw new InvalidUserError(
      `${label} must be at most 255 characters without control characters`,
    );
  }
  return v;
}
