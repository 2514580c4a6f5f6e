import { Logger } from '@nestjs/common';
import { afterAll, beforeEach, vi } from 'vitest';
import { testLogger } from '../helpers/test-logger.js';

// Runs before every test file (vitest.config.ts `setupFiles`), also when files share a worker's modules
// (`isolate: false`): whatever one file left behind in process-wide state must not reach the next.

// Nest's static Logger is process-wide; an app created with `logger: false` or a CLI logger elsewhere would
// otherwise decide what this file prints. Code that logs outside an app (unit specs) buffers too.
Logger.overrideLogger(testLogger);

beforeEach(({ onTestFailed }) => {
  testLogger.clear();
  onTestFailed(() => {
    const lines = testLogger.take();
    if (lines.length > 0) console.error(`Server log of the failed test:\n${lines.join('\n')}`);
  });
});

afterAll(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});
