/** One place to register job types: every queue, its jobs and its schedules. */
export const QUEUES = {
  integrity: 'ledger-integrity',
  monitors: 'monitors',
  rollup: 'progress-rollup',
  disclosure: 'disclosure',
} as const;

export const JOBS = {
  integrityCheck: 'integrity-check',
  runMonitors: 'run-monitors',
  foldRollup: 'fold-rollup',
  draftNotices: 'draft-notices',
  publishTargets: 'publish-targets',
} as const;

/** A monitor run for a date; the job id is the run key, so the same run is queued once. */
export interface RunMonitorsJob {
  asOf?: string;
  runKey?: string;
}

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
  {
    queue: QUEUES.monitors,
    schedulerId: 'monitors-daily',
    pattern: process.env.MONITORS_CRON ?? '0 0 6 * * *', // 06:00 every day, before office hours
    tz: 'Asia/Shanghai',
    job: JOBS.runMonitors,
  },
  {
    queue: QUEUES.rollup,
    schedulerId: 'progress-rollup-fold',
    pattern: process.env.ROLLUP_CRON ?? '*/5 * * * * *', // every 5 seconds: dashboards lag the ledger by seconds at most
    tz: 'Asia/Shanghai',
    job: JOBS.foldRollup,
  },
  {
    queue: QUEUES.disclosure,
    schedulerId: 'notices-from-events',
    pattern: process.env.NOTICES_CRON ?? '*/10 * * * * *', // every 10 s: a draft notice appears seconds after its event
    tz: 'Asia/Shanghai',
    job: JOBS.draftNotices,
  },
  {
    queue: QUEUES.monitors,
    schedulerId: 'targets-hourly',
    pattern: process.env.TARGETS_CRON ?? '0 15 * * * *', // hourly: the public battle map's actuals
    tz: 'Asia/Shanghai',
    job: JOBS.publishTargets,
  },
] as const;
