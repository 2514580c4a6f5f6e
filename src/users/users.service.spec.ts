import * as argon2 from 'argon2';
import { describe, expect, it, vi } from 'vitest';
import type { Repository } from 'typeorm';
import type { UserEntity } from './entities/user.entity.js';
import { ARGON2_OPTIONS } from './users.constants.js';
import { UsersService } from './users.service.js';

// Wrap the real argon2 so the test can count verifications; hashing and verifying stay real.
vi.mock('argon2', async (importOriginal) => {
  const real = await importOriginal<typeof import('argon2')>();
  return { ...real, verify: vi.fn(real.verify) };
});

/** The one query verifyCredentials makes, answered from an in-memory list. */
function fakeRepository(rows: UserEntity[]): Repository<UserEntity> {
  return {
    createQueryBuilder: () => {
      let username = '';
      const qb = {
        addSelect: () => qb,
        where: (_sql: string, params: { username: string }) => {
          username = params.username;
          return qb;
        },
        getOne: () => Promise.resolve(rows.find((r) => r.username === username) ?? null),
      };
      return qb;
    },
  } as unknown as Repository<UserEntity>;
}

describe(UsersService.name, () => {
  it('spends one argon2 verification on unknown users too, so timing does not reveal who exists', async () => {
    const known = {
      id: 'usr_01J0000000000000000000000A',
      username: 'alice',
      passwordHash: await argon2.hash('alice-password', ARGON2_OPTIONS),
      email: null,
      emailVerified: false,
      name: null,
      givenName: null,
      familyName: null,
      roles: '',
      createdAt: new Date(),
      updatedAt: new Date(),
    } satisfies UserEntity;
    const sut = new UsersService(fakeRepository([known]));
    const verify = vi.mocked(argon2.verify);

    verify.mockClear();
    expect(await sut.verifyCredentials('nobody', 'alice-password')).toBeNull();
    expect(verify).toHaveBeenCalledTimes(1);
    // The dummy hash has the same parameters as real ones: equal cost.
    expect(verify.mock.calls[0][0]).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);

    verify.mockClear();
    expect(await sut.verifyCredentials('alice', 'wrong-password')).toBeNull();
    expect(verify).toHaveBeenCalledTimes(1);

    verify.mockClear();
    expect(await sut.verifyCredentials('alice', 'alice-password')).toMatchObject({ id: known.id });
    expect(verify).toHaveBeenCalledTimes(1);
  });
});
