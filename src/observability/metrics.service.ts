import { GRANT_TYPES } from '../common/oauth/grant-types.js';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DataSource } from 'typeorm';
import { OnEvent } from '@nestjs/event-emitter';
import { LOGIN_LOCKED, LOGIN_PATH, type LoginLockedEvent } from '../authorize/index.js';
import { REGISTRATION_PATHS } from '../client-registration/index.js';
import { KeyStoreService } from '../keys/index.js';
import { OBSERVABILITY_SETTINGS } from './observability.constants.js';
import type { ObservabilitySettings } from './observability.options.js';

/** The route label of a request that no route took (404s, probes of random paths): one label for all. */
export const UNKNOWN_ROUTE = 'unknown';

/** Methods that get their own label; anything else (a client may send any token) is `other`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Grant types that get their own label on `authms_token_requests_total`: the ones this server runs. */
const GRANTS: ReadonlySet<string> = new Set(GRANT_TYPES);

/** What a route means for the domain counters, found by its template. */
type Family = 'register' | 'token' | 'refresh' | 'login';

/** mysql2's pool, as far as the pool gauges read it (its queues are Denque instances with `length`). */
interface Mysql2Pool {
  _allConnections?: { length: number };
  _freeConnections?: { length: number };
  _connectionQueue?: { length: number };
  config?: { connectionLimit?: number };
}

/** Counters and histograms of one (method, route, status), resolved once and reused. */
interface HttpSeries {
  count: Counter.Internal;
  duration: Histogram.Internal<'method' | 'route' | 'status'>;
}

/**
 * The Prometheus metrics of one application (`GET /metrics`, prom-client), in its own registry so that
 * several applications in one process (tests, embedders) do not share counters.
 *
 * Request metrics are labelled by route template, never by raw path (a path carries client ids: the
 * label set must stay bounded), and an unmatched request is {@link UNKNOWN_ROUTE}. The domain counters
 * (registrations, token requests, login failures, rate-limit refusals) are derived from the same
 * per-request observation: its route, status and, for errors, the OAuth `error` code the response
 * carried — so no feature module needs to know about metrics. Gauges (database pool, signing-key age) are
 * read when scraped. With no `METRICS_TOKEN` nothing is observed at all.
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly enabled: boolean;
  readonly registry = new Registry();
  private readonly logger = new Logger('Metrics');
  private readonly requests: Counter<'method' | 'route' | 'status'>;
  private readonly duration: Histogram<'method' | 'route' | 'status'>;
  private readonly registrations: Counter<'outcome'>;
  private readonly tokens: Counter<'grant_type' | 'outcome'>;
  private readonly loginFailures: Counter;
  private readonly loginLockouts: Counter<'scope'>;
  private readonly rateLimited: Counter<'route'>;
  private readonly series = new Map<string, HttpSeries>();
  private readonly families: Map<string, Family>;

  constructor(
    @Inject(OBSERVABILITY_SETTINGS) settings: ObservabilitySettings,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: KeyStoreService,
  ) {
    this.enabled = settings.metricsToken !== undefined;
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'authms_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.duration = new Histogram({
      name: 'authms_http_request_duration_seconds',
      help: 'HTTP request latency from arrival to the end of the response, by method, route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.registrations = new Counter({
      name: 'authms_registrations_total',
      help: 'Client registration requests (RFC 7591), by outcome: registered, or the OAuth error code',
      labelNames: ['outcome'],
      registers,
    });
    this.tokens = new Counter({
      name: 'authms_token_requests_total',
      help: 'Token endpoint requests by grant type and outcome: issued, or the OAuth error code',
      labelNames: ['grant_type', 'outcome'],
      registers,
    });
    this.loginFailures = new Counter({
      name: 'authms_login_failures_total',
      help: 'Sign-in attempts refused for wrong credentials (401 from the login form)',
      registers,
    });
    this.loginLockouts = new Counter({
      name: 'authms_login_lockouts_total',
      help: 'Usernames or client IPs that reached their sign-in lockout (event login.locked), by scope',
      labelNames: ['scope'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'authms_rate_limit_refusals_total',
      help: 'Requests refused with 429 rate_limit_exceeded, by route template',
      labelNames: ['route'],
      registers,
    });
    this.registerGauges();
    const prefix = settings.routePrefix;
    this.families = new Map<string, Family>([
      [`POST ${REGISTRATION_PATHS.flat}`, 'register'],
      [`POST ${prefix}${REGISTRATION_PATHS.envelope}`, 'register'],
      [`POST ${prefix}/oauth/token`, 'token'],
      [`POST ${prefix}/oauth/refresh`, 'refresh'],
      [`POST ${prefix}${LOGIN_PATH}`, 'login'],
    ]);
    if (this.enabled) collectDefaultMetrics({ register: this.registry, prefix: 'authms_' });
  }

  /** Counts a sign-in lockout (issue 7 item 2), emitted by AuthorizeModule's `LoginThrottleService`. */
  @OnEvent(LOGIN_LOCKED)
  onLoginLocked(event: LoginLockedEvent): void {
    if (this.enabled) this.loginLockouts.inc({ scope: event.scope });
  }

  /**
   * Records one answered request. `route` is the template the router matched, or
   * {@link UNKNOWN_ROUTE}. Called once per request by the request observer, on the hot path: a map
   * lookup and two increments.
   */
  observe(req: Request, res: Response, route: string, seconds: number): void {
    const method = METHODS.has(req.method) ? req.method : 'other';
    const status = res.statusCode;
    const key = `${method} ${route} ${status}`;
    let s = this.series.get(key);
    if (!s) {
      const labels = { method, route, status: String(status) };
      s = { count: this.requests.labels(labels), duration: this.duration.labels(labels) };
      this.series.set(key, s);
    }
    s.count.inc();
    s.duration.observe(seconds);
    if (status === 429) this.rateLimited.inc({ route });
    const family = this.families.get(`${method} ${route}`);
    if (!family) return;
    const outcome = (ok: number) =>
      status === ok ? undefined : String(res.locals?.oauthError ?? status);
    switch (family) {
      case 'register':
        this.registrations.inc({ outcome: outcome(201) ?? 'registered' });
        break;
      case 'token': {
        const grant = (req.body as Record<string, unknown> | undefined)?.grant_type;
        this.tokens.inc({
          grant_type: typeof grant === 'string' && GRANTS.has(grant) ? grant : 'other',
          outcome: outcome(200) ?? 'issued',
        });
        break;
      }
      case 'refresh':
        this.tokens.inc({ grant_type: 'refresh_token', outcome: outcome(200) ?? 'issued' });
        break;
      case 'login':
        if (status === 401) this.loginFailures.inc();
        break;
    }
  }

  /** The Prometheus text exposition of every metric (gauges are read now). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  onModuleDestroy(): void {
    // Default metrics keep an event-loop monitor and GC observer per registry.
    this.registry.clear();
  }

  /** Gauges read at scrape time: database pool (mysql2) and the active signing keys' age. */
  private registerGauges(): void {
    const registers = [this.registry];
    const pool = () => (this.dataSource.driver as { pool?: Mysql2Pool }).pool;
    // From the connection's own options: SQLite is better-sqlite3, everything else a mysql2 pool.
    const mysql = this.dataSource.options.type !== 'better-sqlite3';
    const poolSize = (this.dataSource.options as { poolSize?: number }).poolSize;
    new Gauge({
      name: 'authms_db_pool_size',
      help: 'Connections the database pool may open (SQLite: 1, one synchronous connection)',
      registers,
      collect() {
        this.set(mysql ? (pool()?.config?.connectionLimit ?? poolSize ?? 1) : 1);
      },
    });
    if (mysql) {
      // SQLite has no pool and no waiting: better-sqlite3 runs each query synchronously on one
      // connection, so these two only exist on MySQL/MariaDB.
      new Gauge({
        name: 'authms_db_pool_connections_in_use',
        help: 'Pool connections currently lent to a query or transaction',
        registers,
        collect() {
          const p = pool();
          this.set(
            Math.max(0, (p?._allConnections?.length ?? 0) - (p?._freeConnections?.length ?? 0)),
          );
        },
      });
      new Gauge({
        name: 'authms_db_pool_waiting',
        help: 'Requests queued for a pool connection',
        registers,
        collect() {
          this.set(pool()?._connectionQueue?.length ?? 0);
        },
      });
    }
    const keys = this.keys;
    const logger = this.logger;
    new Gauge({
      name: 'authms_signing_key_age_seconds',
      help: "Seconds since each algorithm's signing key started signing (rotate per docs/keys.md)",
      labelNames: ['alg'],
      registers,
      async collect() {
        this.reset();
        try {
          for (const k of await keys.activeKeyAges()) this.set({ alg: k.alg }, k.ageSeconds);
        } catch (e) {
          // A scrape while the database is down still answers, without this gauge.
          logger.warn(`signing key age unavailable: ${(e as Error).message}`);
        }
      },
    });
  }
}
