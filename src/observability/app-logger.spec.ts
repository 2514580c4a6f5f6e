import { describe, expect, it } from 'vitest';
import { createPinoLogger, PinoNestLogger, pinoLevel } from './app-logger.js';
import { resolveObservabilitySettings } from './observability.options.js';

/** A logger writing into an array, at the levels of `LOG_LEVEL`. */
async function capture(logLevel: string) {
  const lines: string[] = [];
  const config = resolveObservabilitySettings({ logLevels: logLevel.split(',') });
  const pino = await createPinoLogger(config, { write: (l: string) => void lines.push(l) });
  return { lines, json: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), pino };
}

describe('the JSON logger', () => {
  it("maps LOG_LEVEL's Nest levels to pino's least severe one", () => {
    expect(pinoLevel(['log', 'warn', 'error'])).toBe('info');
    expect(pinoLevel(['error'])).toBe('error');
    expect(pinoLevel(['warn', 'verbose'])).toBe('trace');
    expect(pinoLevel(['debug', 'fatal'])).toBe('debug');
    expect(pinoLevel(['nonsense'])).toBe('silent');
  });

  it("writes Nest's calls as pino lines with their context, and an error's stack", async () => {
    const c = await capture('log,warn,error');
    const nest = new PinoNestLogger(c.pino);
    nest.log('started', 'NestApplication');
    nest.warn('careful', 'Keys');
    nest.error('failed', 'Error: failed\n    at x', 'OAuthError');
    nest.debug('dropped at this level', 'Anything');
    nest.log({ some: 'object' });
    expect(c.json()).toEqual([
      expect.objectContaining({ level: 30, msg: 'started', context: 'NestApplication' }),
      expect.objectContaining({ level: 40, msg: 'careful', context: 'Keys' }),
      expect.objectContaining({
        level: 50,
        msg: 'failed',
        context: 'OAuthError',
        stack: 'Error: failed\n    at x',
      }),
      expect.objectContaining({ level: 30, data: { some: 'object' } }),
    ]);
  });

  it('redacts credentials in objects logged later, as a second net', async () => {
    const c = await capture('log');
    c.pino.info(
      {
        headers: { authorization: 'Bearer s3cr3t', cookie: 'sid=abc', dpop: 'ey.proof' },
        body: { password: 'pw' },
        client_secret: 'cs',
        code: 'the-code',
      },
      'x',
    );
    const line = c.lines.join('');
    for (const secret of ['s3cr3t', 'sid=abc', 'ey.proof', '"pw"', '"cs"', 'the-code']) {
      expect(line).not.toContain(secret);
    }
    expect(c.json()[0]).toMatchObject({
      headers: { authorization: '[redacted]', cookie: '[redacted]' },
      body: '[redacted]',
    });
  });
});
