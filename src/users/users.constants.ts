import * as argon2 from 'argon2';

/** Shortest accepted password (NIST SP 800-63B §5.1.1.2: at least 8 characters). */
export const PASSWORD_MIN_LENGTH = 8;
/** Longest accepted password: long passphrases are fine, unbounded hashing input is not. */
export const PASSWORD_MAX_LENGTH = 1024;
/** Longest username: fits a unique utf8mb4 index on MySQL. */
export const USERNAME_MAX_LENGTH = 191;
/** Letters, digits and `. _ @ + -` (so e-mail addresses work as usernames); no spaces or controls. */
export const USERNAME_PATTERN = /^[\p{L}\p{N}._@+-]+$/u;
/** `usr_` + a ULID (Crockford base32). */
export const USER_ID_PATTERN = /^usr_[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * argon2id (RFC 9106) with OWASP's recommended minimum: 19 MiB memory, 2 passes, 1 lane. Hashes made with
 * weaker parameters are upgraded at the next successful login.
 */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;
