import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { todayInChina } from '@sunshine/common';
import { JOBS, QUEUES, RunMonitorsJob } from '@sunshine/jobs';
import { MonitorRunView, MonitorsService, TargetsService } from '@sunshine/monitoring';

/**
 * Runs every monitor (progress, idle funds, issuance, carry-over, reporting discipline) for a date. BullMQ
 * hands a job whose worker died back to another worker (stalled-job check); the run row and the one-open-
 * alert-per-subject index make the repeated run complete once without duplicates.
 */
@Processor(QUEUES.monitors, {
  // a worker that dies mid-run stops renewing its lock; after lockDuration the stalled-job check hands the
  // job to another worker, whose run completes the same run row
  lockDuration: Number(process.env.MONITORS_LOCK_MS ?? 60_000),
  stalledInterval: Number(process.env.MONITORS_LOCK_MS ?? 60_000),
  maxStalledCount: 3,
})
export class MonitorsProcessor extends WorkerHost {
  constructor(
    private readonly monitors: MonitorsService,
    private readonly targets: TargetsService,
  ) {
    super();
  }

  async process(job: Job<RunMonitorsJob>): Promise<MonitorRunView | { places: number; figures: number }> {
    if (job.name === JOBS.publishTargets) return this.targets.publishAll(job.data.asOf);
    if (job.name !== JOBS.runMonitors) throw new Error(`unknown job ${job.name}`);
    const asOf = job.data.asOf ?? todayInChina();
    return this.monitors.run(asOf, job.data.runKey ?? `monitors-${asOf}`);
  }
}
