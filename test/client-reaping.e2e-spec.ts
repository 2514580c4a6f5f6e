import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientAuditLogEntity } from '../src/audit/index.js';
import {
  ClientAdministrationService,
  ClientEntity,
  ClientReaperService,
} from '../src/client-registration/index.js';
import { createAdminClient } from './helpers/admin.js';
import { controlClock, type ControlledClock } from './helpers/clock.js';
import { expectOAuthError } from './helpers/oauth-assertions.js';
import {
  createTestApp,
  createTestDatabase,
  TEST_DB_TYPE,
  type TestApp,
} from './helpers/test-app.js';
import { basic, postForm } from './helpers/token-flow.js';

const DAY = 86_400;
const REAPING = {
  CLIENT_REAP_SUSPEND_AFTER_DAYS: '30',
  CLIENT_REAP_DELETE_AFTER_DAYS: '90',
  REGISTRATION_RATE_LIMIT: '0',
};

// Issue 8 "Beyond the reference": dynamically registered clients unused for N days are suspended, and
// later deleted, with audit entries and events; admin- and CLI-created clients never. Two instances
// running the reaper at once act once. The clock is injected: days pass without waiting.
describe(`idle-client reaping (${TEST_DB_TYPE})`, () => {
  let a: TestApp;
  let b: TestApp;
  let clockA: ControlledClock;
  let clockB: ControlledClock;
  let drop: (() => Promise<void>) | undefined;

  const register = async () => {
    const res = await request(a.url)
      .post('/connect/register')
      .send({
        client_name: 'Idle',
        redirect_uris: ['https://idle.example.com/cb'],
        grant_types: ['client_credentials'],
        response_types: [],
      })
      .expect(201);
    return {
      clientId: res.body.client_id as string,
      secret: res.body.client_secret as string,
      rat: res.body.registration_access_token as string,
    };
  };
  const token = (c: { clientId: string; secret: string }, app = a) =>
    postForm(app, { grant_type: 'client_credentials' }, { auth: basic(c.clientId, c.secret) });
  const row = (id: string) =>
    a.dataSource.getRepository(ClientEntity).findOne({ where: { id }, withDeleted: true });
  const audits = (id: string) =>
    a.dataSource.getRepository(ClientAuditLogEntity).find({ where: { clientId: id } });
  const advance = (days: number) => {
    clockA.advance(days * DAY);
    clockB.advance(days * DAY);
  };

  beforeAll(async () => {
    const db = await createTestDatabase();
    drop = db.drop;
    a = await createTestApp({ database: db.env, env: REAPING });
    b = await createTestApp({ database: db.env, env: { ...REAPING, ISSUER: a.url } });
    clockA = controlClock(a.app);
    clockB = controlClock(b.app);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await drop?.();
  });

  it('suspends a registered client idle for CLIENT_REAP_SUSPEND_AFTER_DAYS, audited as system, once across two instances', async () => {
    const idle = await register();
    const used = await register();
    const admin = await createAdminClient(a);
    advance(20);
    expect((await token(used)).status).toBe(200);
    advance(11); // idle: 31 days since registration; used: 11 days since its last token

    // At once on MariaDB. Two SQLite connections in one Node process cannot overlap write transactions
    // (the waiting one blocks the event loop the other needs to commit), so there the runs follow each
    // other; the conditional UPDATE is what makes the second act on nothing either way.
    const reapA = () => a.app.get(ClientReaperService).reap();
    const reapB = () => b.app.get(ClientReaperService).reap();
    const [ra, rb] =
      TEST_DB_TYPE === 'mysql'
        ? await Promise.all([reapA(), reapB()])
        : [await reapA(), await reapB()];
    expect([...ra.suspended, ...rb.suspended].filter((id) => id === idle.clientId)).toEqual([
      idle.clientId,
    ]);
    expect((await row(idle.clientId))!.status).toBe('suspended');
    expect((await row(used.clientId))!.status).toBe('active');
    expect((await row(admin.clientId))!.status).toBe('active');
    const entries = await audits(idle.clientId);
    const suspended = entries.filter((e) => e.operation === 'client.suspended');
    expect(suspended).toHaveLength(1);
    expect(suspended[0]).toMatchObject({ actorType: 'system' });
    expect(JSON.stringify(entries)).not.toContain(idle.secret);

    // Suspended: no token; its registration can still be read (RFC 7592) so its owner can see why.
    expect((await token(idle, b)).status).toBe(401);
    const read = await request(a.url)
      .get(`/connect/register/${idle.clientId}`)
      .set('Authorization', `Bearer ${idle.rat}`);
    expect(read.status).toBe(200);
  });

  it('deletes a registered client idle for CLIENT_REAP_DELETE_AFTER_DAYS; never an admin- or CLI-created one', async () => {
    const idle = await register();
    const admin = await createAdminClient(a);
    advance(91);
    const res = await b.app.get(ClientReaperService).reap();
    expect(res.deleted).toContain(idle.clientId);
    expect(res.deleted).not.toContain(admin.clientId);
    expect(res.suspended).not.toContain(admin.clientId);
    expect((await row(idle.clientId))!.deletedAt).not.toBeNull();
    expect((await row(admin.clientId))!.deletedAt).toBeNull();
    expect((await audits(idle.clientId)).map((e) => e.operation)).toContain('client.deleted');
    expectOAuthError(await token(idle), 401, 'invalid_client');
    // A second run finds nothing more to do.
    const again = await a.app.get(ClientReaperService).reap();
    expect(again.deleted).not.toContain(idle.clientId);
  });

  it('a client reactivated by an administrator starts a new idle period', async () => {
    const c = await register();
    advance(31);
    expect((await a.app.get(ClientReaperService).reap()).suspended).toContain(c.clientId);
    // (In process: an admin access token minted now would be expired on this app's clock, 100 days on.)
    await a.app
      .get(ClientAdministrationService)
      .update(c.clientId, { status: 'active' }, { type: 'admin_user', id: 'usr_test' });
    expect((await a.app.get(ClientReaperService).reap()).suspended).not.toContain(c.clientId);
    expect((await token(c)).status).toBe(200);
  });
});

describe(`idle-client reaping is off by default (${TEST_DB_TYPE})`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { REGISTRATION_RATE_LIMIT: '0' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('changes nothing without the settings, however long a client is idle', async () => {
    const clock = controlClock(t.app);
    const res = await request(t.url)
      .post('/connect/register')
      .send({ redirect_uris: ['https://x.example.com/cb'] })
      .expect(201);
    clock.advance(3650 * DAY);
    const reaper = t.app.get(ClientReaperService);
    expect(reaper.enabled).toBe(false);
    expect(await reaper.reap()).toEqual({ suspended: [], deleted: [] });
    const client = await t.dataSource
      .getRepository(ClientEntity)
      .findOneByOrFail({ id: res.body.client_id as string });
    expect(client.status).toBe('active');
  });
});
