import { Injectable } from '@nestjs/common';
import type { AlertRule } from './alerts.service';

/** What a monitor found about one subject as of a date; the run turns it into (or refreshes) an alert. */
export interface Finding {
  rule: AlertRule;
  subjectType: string;
  subjectId: string;
  jurisdictionCode: string;
  severity: 'yellow' | 'red';
  title: string;
  details: Record<string, unknown>;
}

/** A rule whose facts live in another context (e.g. disclosure's NOTICE_OVERDUE): it reports findings for a date. */
export interface MonitorFinder {
  readonly name: string;
  findings(asOf: string): Promise<Finding[]>;
}

/**
 * Where contexts that depend on monitoring register their own monitors at start-up (onModuleInit), so that
 * one monitor run covers every rule without monitoring depending on them (no cycle).
 */
@Injectable()
export class MonitorRegistry {
  private readonly finders: MonitorFinder[] = [];

  register(finder: MonitorFinder): void {
    if (!this.finders.some((f) => f.name === finder.name)) this.finders.push(finder);
  }

  all(): readonly MonitorFinder[] {
    return this.finders;
  }
}
