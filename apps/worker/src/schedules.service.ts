import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { QUEUES, SCHEDULES } from '@sunshine/jobs';

/** Upserts the repeatable schedules of SCHEDULES (idempotent: one scheduler per id however often it runs). */
@Injectable()
export class SchedulesService {
  private readonly logger = new Logger(SchedulesService.name);

  constructor(
    @InjectQueue(QUEUES.integrity) private readonly integrityQueue: Queue,
    @InjectQueue(QUEUES.monitors) private readonly monitorsQueue: Queue,
    @InjectQueue(QUEUES.rollup) private readonly rollupQueue: Queue,
    @InjectQueue(QUEUES.disclosure) private readonly disclosureQueue: Queue,
  ) {}

  async upsertAll(): Promise<void> {
    const queues: Record<string, Queue> = {
      [QUEUES.integrity]: this.integrityQueue,
      [QUEUES.monitors]: this.monitorsQueue,
      [QUEUES.rollup]: this.rollupQueue,
      [QUEUES.disclosure]: this.disclosureQueue,
    };
    for (const s of SCHEDULES) {
      await queues[s.queue].upsertJobScheduler(
        s.schedulerId,
        { pattern: s.pattern, tz: s.tz },
        { name: s.job, data: {} },
      );
      this.logger.log(`schedule ${s.schedulerId}: ${s.pattern} (${s.tz})`);
    }
  }
}
