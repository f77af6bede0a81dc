import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { JOBS, QUEUES } from '@sunshine/jobs';
import { ProgressRollupService } from '@sunshine/monitoring';

/** Folds newly written ledger entries into the spending-progress read model (readers add what is still queued). */
@Processor(QUEUES.rollup)
export class RollupProcessor extends WorkerHost {
  constructor(private readonly rollup: ProgressRollupService) {
    super();
  }

  async process(job: Job): Promise<{ folded: number }> {
    if (job.name !== JOBS.foldRollup) throw new Error(`unknown job ${job.name}`);
    return { folded: await this.rollup.foldAll(50_000) };
  }
}
