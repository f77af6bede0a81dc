import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { IntegrityRunsService, IntegrityRunView } from '@sunshine/funds';
import { IntegrityCheckJob, JOBS, QUEUES } from '@sunshine/jobs';

/** Runs the ledger integrity check: queued on demand by the API (with a run id) or by the nightly schedule. */
@Processor(QUEUES.integrity)
export class IntegrityCheckProcessor extends WorkerHost {
  private readonly logger = new Logger(IntegrityCheckProcessor.name);

  constructor(private readonly runs: IntegrityRunsService) {
    super();
  }

  async process(job: Job<Partial<IntegrityCheckJob>>): Promise<Pick<IntegrityRunView, 'id' | 'status'>> {
    if (job.name !== JOBS.integrityCheck) throw new Error(`unknown job ${job.name}`);
    let runId = job.data.runId;
    if (!runId) {
      runId = await this.runs.queue('schedule', null);
      await job.updateData({ runId });
    }
    const run = await this.runs.execute(runId);
    if (run.status === 'failed') {
      this.logger.warn(`integrity run ${run.id} found ${run.findings.length} problem(s)`);
    } else {
      this.logger.log(`integrity run ${run.id}: ${run.status}`);
    }
    return { id: run.id, status: run.status };
  }
}
