import type { DestinationStream } from 'pino';

/**
 * Options of `ObservabilityModule.forRoot()` / `forRootAsync()` (docs/operations.md). The module reads
 * nothing else: no environment, no application settings. Every option is optional; an omitted one takes
 * the default stated here, listed in {@link OBSERVABILITY_DEFAULTS}.
 */
export interface ObservabilityModuleOptions {
  /** Nest log levels written (`log`, `warn`, `error`, `debug`, `verbose`, `fatal`). Default: `['log', 'warn', 'error']`. */
  logLevels?: string[];
  /**
   * `json` (one JSON object per line) or `pretty` (pino-pretty, a devDependency). Default: JSON, or pretty
   * when `development` is true and pino-pretty is installed.
   */
  logFormat?: 'json' | 'pretty';
  /** A development instance: human-readable logs by default (see `logFormat`). Default: `false`. */
  development?: boolean;
  /**
   * Bearer token `GET /metrics` requires (RFC 6750 §2.1); without one the endpoint answers 404 and no
   * metrics are collected. Default: none.
   */
  metricsToken?: string;
  /** The API's global route prefix, under which the token and login routes are counted. Default: `''`. */
  routePrefix?: string;
}

/** Composition extras of `ObservabilityModule.forRoot()` / `forRootAsync()`. */
export interface ObservabilityModuleExtras {
  /** Where log lines go instead of stdout (tests capture them). Default: stdout. */
  logDestination?: DestinationStream;
}

/** The defaults of {@link ObservabilityModuleOptions} (`logFormat`, `metricsToken`: none). */
export const OBSERVABILITY_DEFAULTS = {
  logLevels: ['log', 'warn', 'error'],
  development: false,
  routePrefix: '',
} as const satisfies Omit<Required<ObservabilityModuleOptions>, 'logFormat' | 'metricsToken'>;

/** The module's effective settings: the options over their defaults. */
export interface ObservabilitySettings {
  logLevels: string[];
  logFormat: 'json' | 'pretty' | undefined;
  development: boolean;
  metricsToken: string | undefined;
  routePrefix: string;
}

/** Applies {@link OBSERVABILITY_DEFAULTS} to the omitted options. */
export function resolveObservabilitySettings(
  options: ObservabilityModuleOptions = {},
): ObservabilitySettings {
  return {
    logLevels: [...(options.logLevels ?? OBSERVABILITY_DEFAULTS.logLevels)],
    logFormat: options.logFormat,
    development: options.development ?? OBSERVABILITY_DEFAULTS.development,
    metricsToken: options.metricsToken,
    routePrefix: options.routePrefix ?? OBSERVABILITY_DEFAULTS.routePrefix,
  };
}
