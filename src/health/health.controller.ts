import { NoStore } from '../common/http/no-store.js';
import { Controller, Get } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';

/** How long the database ping may take before the check reports the database down. */
const PING_TIMEOUT_MS = 2000;

/**
 * Health for load balancers and Kubernetes probes (docs/operations.md "Probes"):
 * - `GET /api/v1/health/live`: the process answers (liveness; never touches the database, so a database
 *   outage does not get every instance restarted);
 * - `GET /api/v1/health/ready`: the database answers `SELECT 1` within {@link PING_TIMEOUT_MS}, else 503
 *   (readiness: take the instance out of the load balancer until it does);
 * - `GET /api/v1/health`: the same as `ready`, the path load balancers were given first.
 */
@ApiTags('Health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get()
  @NoStore()
  @HealthCheck()
  @ApiOperation({ summary: 'Health check (database ping)' })
  @ApiOkResponse({ description: 'The server and its database are up' })
  check() {
    return this.health.check([() => this.pingDatabase()]);
  }

  @Get('live')
  @NoStore()
  @ApiOperation({ summary: 'Liveness probe: the process is up (no database check)' })
  @ApiOkResponse({ description: 'The process answers' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @NoStore()
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness probe: the database answers within 2 s (503 otherwise)' })
  @ApiOkResponse({ description: 'The server can serve requests' })
  @ApiServiceUnavailableResponse({ description: 'The database is unreachable or too slow' })
  ready() {
    return this.health.check([() => this.pingDatabase()]);
  }

  /**
   * `SELECT 1` on the app's DataSource with a timeout; the same result shape as terminus'
   * `TypeOrmHealthIndicator.pingCheck('database')`, without its per-request cost (it resolves the
   * DataSource through the module graph and builds and aborts two AbortSignals on every call, which made
   * the health check several times the cost of the ping itself).
   */
  private async pingDatabase() {
    const indicator = this.indicators.check('database');
    const start = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`timeout of ${PING_TIMEOUT_MS}ms exceeded`)),
            PING_TIMEOUT_MS,
          );
        }),
      ]);
      return indicator.up({ responseTime: Math.round(performance.now() - start) });
    } catch (e) {
      return indicator.down({
        message: e instanceof Error ? e.message : String(e),
        responseTime: Math.round(performance.now() - start),
      });
    } finally {
      clearTimeout(timer);
    }
  }
}
