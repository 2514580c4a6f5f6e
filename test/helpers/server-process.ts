import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from './dist.js';

/** A built server (`node dist/src/main.js`) running as a child process, as an operator starts it. */
export interface ServerProcess {
  child: ChildProcess;
  /** Everything written so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves when stdout or stderr matches `pattern` (rejects if the process exits first). */
  waitFor(pattern: RegExp): Promise<void>;
  /** Exit status and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts the compiled server with exactly `env` (plus PATH): nothing of the test runner's environment
 * (DB_TYPE...) leaks in.
 */
export function spawnServer(env: Record<string, string>): ServerProcess {
  const dist = ensureBuilt();
  const child = spawn(process.execPath, [join(dist, 'src/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const check = () => {
    for (const w of [...waiters]) w();
  };
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    check();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    check();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      check();
    }),
  );
  return {
    child,
    output: () => ({ stdout, stderr }),
    exited,
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const w = () => {
          if (pattern.test(stdout) || pattern.test(stderr)) {
            waiters.delete(w);
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(w);
            reject(new Error(`server exited before ${pattern}:\n${stdout}\n${stderr}`));
          }
        };
        waiters.add(w);
        w();
      });
    },
  };
}
