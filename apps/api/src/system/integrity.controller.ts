import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Queue } from 'bullmq';
import { Actor, assertRole } from '@sunshine/common';
import { IntegrityRunsService, IntegrityRunView } from '@sunshine/funds';
import { CurrentActor, Roles } from '@sunshine/identity';
import { IntegrityCheckJob, JOBS, QUEUES } from '@sunshine/jobs';

@ApiTags('integrity')
@ApiBearerAuth()
@Controller('api/integrity-checks')
export class IntegrityController {
  constructor(
    private readonly runs: IntegrityRunsService,
    @InjectQueue(QUEUES.integrity) private readonly queue: Queue<IntegrityCheckJob>,
  ) {}

  /** Queues a ledger integrity check on demand; the worker runs it. */
  @Roles('admin', 'auditor')
  @Post()
  @HttpCode(202)
  async request(@CurrentActor() actor: Actor): Promise<{ id: string; status: string }> {
    assertRole(actor, ['admin', 'auditor']);
    const id = await this.runs.queue('manual', actor.username);
    await this.queue.add(
      JOBS.integrityCheck,
      { runId: id },
      { jobId: id, attempts: 3, backoff: { type: 'exponential', delay: 2000 } },
    );
    return { id, status: 'queued' };
  }

  @Roles('admin', 'auditor')
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<IntegrityRunView> {
    return this.runs.get(actor, id);
  }
}
