/** One place to register job types: every queue, its jobs and its schedules. */
export const QUEUES = {
  integrity: 'ledger-integrity',
} as const;

export const JOBS = {
  integrityCheck: 'integrity-check',
} as const;

export interface IntegrityCheckJob {
  runId: string;
}

/** Repeatable schedules (BullMQ job schedulers), upserted by the worker at start. */
export const SCHEDULES = [
  {
    queue: QUEUES.integrity,
    schedulerId: 'ledger-integrity-nightly',
    pattern: process.env.INTEGRITY_CRON ?? '0 30 2 * * *', // 02:30 every night (seconds field first)
    tz: 'Asia/Shanghai',
    job: JOBS.integrityCheck,
  },
] as const;
