import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { NoticeGeneratorService } from '@sunshine/disclosure';
import { JOBS, QUEUES } from '@sunshine/jobs';

/** Drafts the notices that ledger and project events call for (D2, D4, D5, D7, D8, D9) from the outbox. */
@Processor(QUEUES.disclosure)
export class NoticesProcessor extends WorkerHost {
  constructor(private readonly generator: NoticeGeneratorService) {
    super();
  }

  async process(job: Job): Promise<{ events: number; created: number }> {
    if (job.name !== JOBS.draftNotices) throw new Error(`unknown job ${job.name}`);
    return this.generator.processPending();
  }
}
