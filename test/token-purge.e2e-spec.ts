import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowSeconds, sha256Hex } from '../src/common/crypto/tokens.js';
import { AccessTokenEntity } from '../src/token/entities/access-token.entity.js';
import { AuthorizationCodeEntity } from '../src/token/entities/authorization-code.entity.js';
import { ClientAssertionJtiEntity } from '../src/token/entities/client-assertion-jti.entity.js';
import { RefreshTokenEntity } from '../src/token/entities/refresh-token.entity.js';
import { TokenPurgeService } from '../src/token/index.js';
import { seedClient } from './helpers/clients.js';
import { createTestApp, TEST_DB_TYPE, type TestApp } from './helpers/test-app.js';
import { codeTokens, createUser, issueCode } from './helpers/token-flow.js';

describe(`purge of expired token rows (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('deletes expired rows and keeps live ones and recently expired codes (replay window)', async () => {
    const user = await createUser(t);
    const c = await seedClient(t);
    const old = await codeTokens(t, c, user.id);
    const live = await codeTokens(t, c, user.id);
    const recentCode = await issueCode(t, { clientId: c.clientId, userId: user.id });
    const ds = t.dataSource;
    const jti = (tok: string) =>
      JSON.parse(Buffer.from(tok.split('.')[1], 'base64url').toString()).jti as string;
    const now = nowSeconds();
    await ds
      .getRepository(AccessTokenEntity)
      .update({ jti: jti(old.access_token) }, { expiresAt: now - 1 });
    await ds
      .getRepository(RefreshTokenEntity)
      .update({ tokenHash: sha256Hex(old.refresh_token) }, { expiresAt: now - 1 });
    await ds.getRepository(ClientAssertionJtiEntity).insert([
      { clientId: c.clientId, jtiHash: 'a'.repeat(64), expiresAt: now - 1 },
      { clientId: c.clientId, jtiHash: 'b'.repeat(64), expiresAt: now + 60 },
    ]);
    const codes = ds.getRepository(AuthorizationCodeEntity);
    // Every code but the fresh one expired long ago (past the replay window); the fresh one just now.
    const recentHash = sha256Hex(recentCode);
    for (const row of await codes.find()) {
      const expiresAt = row.codeHash === recentHash ? now - 1 : now - 2 * 86400;
      await codes.update({ codeHash: row.codeHash }, { expiresAt });
    }

    await t.app.get(TokenPurgeService).purgeNow();

    const ats = await ds.getRepository(AccessTokenEntity).find();
    expect(ats.map((r) => r.jti)).toEqual([jti(live.access_token)]);
    expect(await ds.getRepository(RefreshTokenEntity).count()).toBe(1);
    expect((await ds.getRepository(ClientAssertionJtiEntity).find()).map((r) => r.jtiHash)).toEqual(
      ['b'.repeat(64)],
    );
    expect((await codes.find()).map((r) => r.codeHash)).toEqual([recentHash]);
  });
});
