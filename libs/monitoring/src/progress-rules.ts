/** A 序时进度 milestone: by `dueOn`, at least `targetBp` basis points of the year's funds paid out. */
export interface Milestone {
  dueOn: string;
  targetBp: number;
}

export type ProgressStatus = 'green' | 'yellow' | 'red';

/** The default schedule (DOMAIN §3.6): 30 % by 30 June, 60 % by 30 September, 90 % by 31 December. */
export const defaultMilestones = (year: number): Milestone[] => [
  { dueOn: `${year}-06-30`, targetBp: 3000 },
  { dueOn: `${year}-09-30`, targetBp: 6000 },
  { dueOn: `${year}-12-31`, targetBp: 9000 },
];

/** Points behind a milestone that make it red rather than yellow. */
export const RED_MARGIN_BP = 2000;

/** Paid ÷ received in basis points, rounded down (progress is never overstated); 0 when nothing arrived. */
export function progressBp(paid: bigint, received: bigint): number {
  if (received <= 0n) return 0;
  const bp = (paid * 10000n) / received;
  return Number(bp < 0n ? 0n : bp);
}

export const formatBp = (bp: number): string =>
  `${Math.floor(bp / 100)}.${String(bp % 100).padStart(2, '0')}`;

/** The milestone in force on `asOf`: the latest one already due (none before the first is due). */
export function milestoneInForce(milestones: readonly Milestone[], asOf: string): Milestone | null {
  let found: Milestone | null = null;
  for (const m of [...milestones].sort((a, b) => a.dueOn.localeCompare(b.dueOn))) {
    if (m.dueOn <= asOf) found = m;
  }
  return found;
}

/**
 * Green when the milestone in force is met; yellow below it; red when more than 20 points behind it, or
 * below the final target once the schedule's last milestone (the year end) has passed. Nothing received
 * yet is green: there is nothing to spend.
 */
export function progressStatus(
  milestones: readonly Milestone[],
  asOf: string,
  bp: number,
  received: bigint,
): ProgressStatus {
  if (received <= 0n) return 'green';
  const inForce = milestoneInForce(milestones, asOf);
  if (!inForce) return 'green';
  const last = [...milestones].sort((a, b) => a.dueOn.localeCompare(b.dueOn)).at(-1);
  if (last && inForce.dueOn === last.dueOn && bp < last.targetBp) return 'red';
  if (bp < inForce.targetBp - RED_MARGIN_BP) return 'red';
  if (bp < inForce.targetBp) return 'yellow';
  return 'green';
}
