import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from '../bin/server-node-flags.js';
import { ensureBuilt, ROOT } from './helpers/dist.js';
import { createTestDatabase, freePort, TEST_DB_TYPE } from './helpers/test-app.js';

// ADR 0135 (issue 11, memory): the server runs with the same node flags however it is started.
describe(`the server's node flags (${TEST_DB_TYPE})`, () => {
  it('are the ones of `npm start`', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(SERVER_NODE_FLAGS).toContain('--max-old-space-size=256');
    expect(pkg.scripts.start).toBe(`node ${SERVER_NODE_FLAGS.join(' ')} dist/src/main.js`);
  });

  describe('`authms start`', () => {
    let env: Record<string, string>;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      ensureBuilt();
      const db = await createTestDatabase();
      drop = db.drop;
      const port = await freePort();
      env = {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        PORT: String(port),
        ISSUER: `http://127.0.0.1:${port}`,
        LOG_LEVEL: 'error',
        KEYS_ENCRYPTION_KEY: 'dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=',
        ...db.env,
      };
    }, 240_000);
    afterAll(async () => {
      await drop?.();
    });

    it.skipIf(!existsSync('/proc/self/task'))(
      'runs the server in a child process with the flags, and stops it gracefully on SIGTERM',
      async () => {
        const authms = spawn(process.execPath, [join(ROOT, 'bin/authms.js'), 'start'], {
          cwd: ROOT,
          env,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        authms.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
        const exited = new Promise<number | null>((done) =>
          authms.on('exit', (code) => done(code)),
        );
        try {
          let healthy = false;
          for (let i = 0; i < 300 && !healthy && authms.exitCode === null; i++) {
            healthy = await fetch(`${env.ISSUER}/api/v1/health`).then(
              (r) => r.ok,
              () => false,
            );
            if (!healthy) await sleep(100);
          }
          expect(stderr).toBe('');
          expect(healthy).toBe(true);
          const pid = authms.pid!;
          const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
          expect(children).toMatch(/^\d+$/);
          const argv = readFileSync(`/proc/${children}/cmdline`, 'utf8').split('\0');
          expect(argv.slice(1, 1 + SERVER_NODE_FLAGS.length)).toEqual([...SERVER_NODE_FLAGS]);
          expect(argv[1 + SERVER_NODE_FLAGS.length]).toBe(join(ROOT, 'dist/src/main.js'));

          authms.kill('SIGTERM');
          expect(await exited).toBe(0);
          expect(existsSync(`/proc/${children}`)).toBe(false);
        } finally {
          if (authms.exitCode === null) authms.kill('SIGKILL');
        }
      },
      120_000,
    );
  });
});
