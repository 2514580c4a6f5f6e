import 'reflect-metadata';
import { Injectable, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TypeOrmModule } from '@nestjs/typeorm';
import request from 'supertest';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLIENT_REGISTRATION_ENTITIES,
  CLIENT_REGISTRATION_MIGRATIONS,
  ClientRegistrationModule,
  ClientsService,
  type ClientRegistrationModuleOptions,
} from '../src/client-registration/index.js';
import { createTestDatabase, freePort, TEST_DB_TYPE } from './helpers/test-app.js';

/** The host's own settings: a stand-in for whatever configuration a host application has. */
@Injectable()
class HostSettings {
  issuer = '';
  createRegistrationOptions(): ClientRegistrationModuleOptions {
    return { issuer: this.issuer, scopesSupported: ['openid', 'orders:read'], rateLimit: 0 };
  }
}

@Module({ providers: [HostSettings], exports: [HostSettings] })
class HostSettingsModule {}

/** The host's own TypeORM connection (not AuthMS's DatabaseModule), for SQLite or MariaDB/MySQL. */
function hostConnection(env: Record<string, string>): DataSourceOptions {
  const schema = {
    entities: CLIENT_REGISTRATION_ENTITIES,
    migrations: CLIENT_REGISTRATION_MIGRATIONS,
    migrationsRun: true,
  };
  if (env.DB_TYPE === 'sqlite') {
    return { type: 'better-sqlite3', database: env.DB_SQLITE_PATH, ...schema };
  }
  return {
    type: env.DB_TYPE as 'mysql' | 'mariadb',
    host: env.DB_HOST,
    port: Number(env.DB_PORT),
    username: env.DB_USER,
    password: env.DB_PASSWORD,
    database: env.DB_NAME,
    ...schema,
  };
}

/**
 * A minimal host application: its own connection, the event emitter the module's events go through, and
 * ClientRegistrationModule configured asynchronously. No AuthMS configuration, no global prefix.
 */
function hostModule(env: Record<string, string>, registration: DynamicModule): DynamicModule {
  @Module({})
  class HostModule {}
  return {
    module: HostModule,
    imports: [
      TypeOrmModule.forRoot(hostConnection(env)),
      EventEmitterModule.forRoot(),
      registration,
    ],
  };
}

const asyncConfigurations: [string, (issuer: string) => DynamicModule][] = [
  [
    'useFactory',
    (issuer) =>
      ClientRegistrationModule.forRootAsync({
        imports: [HostSettingsModule],
        inject: [HostSettings],
        useFactory: (s: HostSettings) => {
          s.issuer = issuer;
          return s.createRegistrationOptions();
        },
      }),
  ],
  [
    'useClass',
    (issuer) =>
      ClientRegistrationModule.forRootAsync({
        useClass: class extends HostSettings {
          override issuer = issuer;
        },
      }),
  ],
  [
    'useExisting',
    (issuer) =>
      ClientRegistrationModule.forRootAsync({
        imports: [
          {
            module: HostSettingsModule,
            providers: [
              { provide: HostSettings, useValue: Object.assign(new HostSettings(), { issuer }) },
            ],
            exports: [HostSettings],
          },
        ],
        useExisting: HostSettings,
      }),
  ],
];

// ClientRegistrationModule is portable: a host application that is not AuthMS imports it with
// forRootAsync, gives it its own TypeORM connection, runs the migrations the module exports, and
// registers, reads, updates and deletes a client over HTTP (RFC 7591 §3, RFC 7592 §2).
describe.each(asyncConfigurations)(
  `a host application with ClientRegistrationModule.forRootAsync(%s) (${TEST_DB_TYPE})`,
  (_name, registration) => {
    let app: INestApplication;
    let url: string;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const db = await createTestDatabase();
      drop = db.drop;
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      app = await NestFactory.create(hostModule(db.env, registration(url)), { logger: false });
      await app.listen(port, '127.0.0.1');
    });
    afterAll(async () => {
      await app?.close();
      await drop?.();
    });

    /** One request to the host; `path` may be absolute (a registration_client_uri). */
    const call = async (
      method: 'get' | 'post' | 'put' | 'delete',
      path: string,
      token?: string,
      body?: object,
    ) => {
      const target = new URL(path, url);
      const req = request(target.origin)[method](target.pathname);
      if (token) void req.auth(token, { type: 'bearer' });
      const res = body ? await req.send(body) : await req;
      return { status: res.status, body: res.body };
    };

    it('runs the exported migrations: the schema is exactly what the exported entities describe', async () => {
      const dataSource = app.get(DataSource);
      expect(await dataSource.showMigrations()).toBe(false);
      const sql = await dataSource.driver.createSchemaBuilder().log();
      expect(sql.upQueries.map((q) => q.query)).toEqual([]);
    });

    it('registers, reads, updates and deletes a client with its own options', async () => {
      const reg = await call('post', '/connect/register', undefined, {
        redirect_uris: ['https://shop.example.com/cb'],
        client_name: 'Shop',
      });
      expect(reg.status).toBe(201);
      const id = reg.body.client_id as string;
      // The host's options: its issuer in registration_client_uri, its scopes as the default scope.
      expect(reg.body.registration_client_uri).toBe(`${url}/connect/register/${id}`);
      expect(reg.body.scope).toBe('openid orders:read');

      const read = await call(
        'get',
        reg.body.registration_client_uri as string,
        reg.body.registration_access_token,
      );
      expect(read).toMatchObject({ status: 200, body: { client_id: id, client_name: 'Shop' } });
      expect(await app.get(ClientsService).findActiveById(id)).toMatchObject({
        clientName: 'Shop',
      });

      const upd = await call('put', `/connect/register/${id}`, reg.body.registration_access_token, {
        redirect_uris: ['https://shop.example.com/cb'],
        client_name: 'Shop 2',
        scope: 'orders:read',
      });
      expect(upd).toMatchObject({
        status: 200,
        body: { client_name: 'Shop 2', scope: 'orders:read' },
      });

      // The contract's envelope answers too, at /oauth/register since this host has no global prefix.
      const env = await call('get', `/oauth/register/${id}`, upd.body.registration_access_token);
      expect(env).toMatchObject({ status: 200, body: { code: 200, data: { client_id: id } } });
      expect(env.body.data.registration_client_uri).toBe(`${url}/oauth/register/${id}`);

      const del = await call(
        'delete',
        `/connect/register/${id}`,
        upd.body.registration_access_token,
      );
      expect(del.status).toBe(204);
      expect(await app.get(ClientsService).findActiveById(id)).toBeNull();
    });

    it('answers OAuth errors without any help from the host (RFC 7591 §3.2.2, RFC 6750 §3.1)', async () => {
      const bad = await call('post', '/connect/register', undefined, {
        redirect_uris: ['https://x.example/cb'],
        scope: 'admin',
      });
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({
        error: 'invalid_client_metadata',
        error_description: expect.any(String),
      });
      const unauth = await call('get', '/connect/register/01ARZ3NDEKTSV4RRFFQ69G5FAV', 'reg_wrong');
      expect(unauth).toEqual({
        status: 401,
        body: { error: 'invalid_token', error_description: expect.any(String) },
      });
    });
  },
);

describe('ClientRegistrationModule options', () => {
  it('falls back to the documented defaults in forRootAsync as in forRoot, and refuses bad values', async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    try {
      for (const registration of [
        ClientRegistrationModule.forRoot({}),
        ClientRegistrationModule.forRootAsync({ useFactory: () => ({}) }),
      ]) {
        const app = await NestFactory.create(hostModule(db.env, registration), { logger: false });
        await app.listen(port, '127.0.0.1');
        try {
          const res = await fetch(`http://127.0.0.1:${port}/connect/register`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ redirect_uris: ['https://app.example.com/cb'] }),
          });
          const body = (await res.json()) as Record<string, string>;
          expect(res.status).toBe(201);
          expect(res.headers.get('ratelimit-limit')).toBe('10');
          expect(body.scope).toBe('openid profile email offline_access');
          expect(body.registration_client_uri).toBe(
            `http://localhost:3000/connect/register/${body.client_id}`,
          );
        } finally {
          await app.close();
        }
      }
      await expect(
        NestFactory.create(
          hostModule(
            db.env,
            ClientRegistrationModule.forRootAsync({ useFactory: () => ({ issuer: 'not a url' }) }),
          ),
          { logger: false, abortOnError: false },
        ),
      ).rejects.toThrow(/issuer/);
    } finally {
      await db.drop();
    }
  });
});
