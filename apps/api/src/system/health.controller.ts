import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { Queue } from 'bullmq';
import { Public } from '@sunshine/identity';
import { QUEUES } from '@sunshine/jobs';

/** Liveness plus database and queue readiness (503 when one is down). */
@ApiTags('health')
@Controller('api/health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @InjectQueue(QUEUES.integrity) private readonly queue: Queue,
  ) {}

  @Public()
  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.db.pingCheck('database', { timeout: 3000 }),
      async () => {
        const indicator = this.indicators.check('queue');
        try {
          const counts = await Promise.race([
            this.queue.getJobCounts('waiting', 'active', 'failed'),
            new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 3000)),
          ]);
          return indicator.up({ jobs: counts });
        } catch (e) {
          return indicator.down({ error: e instanceof Error ? e.message : String(e) });
        }
      },
    ]);
  }
}
