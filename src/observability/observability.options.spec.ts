import { describe, expect, it } from 'vitest';
import { OBSERVABILITY_DEFAULTS, resolveObservabilitySettings } from './observability.options.js';

describe(resolveObservabilitySettings.name, () => {
  it('takes the documented default of every omitted option (no metrics token: /metrics is off)', () => {
    expect(resolveObservabilitySettings({})).toEqual({
      ...OBSERVABILITY_DEFAULTS,
      logFormat: undefined,
      metricsToken: undefined,
    });
  });

  it('keeps what is given', () => {
    expect(
      resolveObservabilitySettings({
        logLevels: ['error'],
        logFormat: 'json',
        development: true,
        metricsToken: 'm'.repeat(32),
        routePrefix: '/api/v1',
      }),
    ).toEqual({
      logLevels: ['error'],
      logFormat: 'json',
      development: true,
      metricsToken: 'm'.repeat(32),
      routePrefix: '/api/v1',
    });
  });
});
