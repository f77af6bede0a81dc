import { Module } from '@nestjs/common';
import { CalendarModule } from '@sunshine/calendar';
import { JurisdictionsModule } from '@sunshine/jurisdictions';
import { ReferenceModule } from '@sunshine/reference';
import { AlertsService } from './alerts.service';
import { IdleFundsService } from './idle-funds.service';
import { MonitorRegistry } from './monitor-registry';
import { MonitorsService } from './monitors.service';
import { PerformanceService } from './performance.service';
import { ProgressRollupService } from './progress-rollup.service';
import { TargetsService } from './targets.service';
import { ReportingDisciplineService } from './reporting-discipline.service';
import { SpendingProgressService } from './spending-progress.service';

/** Monitoring (controls 6–10 of DOMAIN §3): spending progress, milestones, idle funds, monitors and alerts. */
@Module({
  imports: [JurisdictionsModule, ReferenceModule, CalendarModule],
  providers: [
    ProgressRollupService,
    SpendingProgressService,
    IdleFundsService,
    ReportingDisciplineService,
    PerformanceService,
    TargetsService,
    AlertsService,
    MonitorsService,
    MonitorRegistry,
  ],
  exports: [
    MonitorRegistry,
    ProgressRollupService,
    SpendingProgressService,
    IdleFundsService,
    ReportingDisciplineService,
    PerformanceService,
    TargetsService,
    AlertsService,
    MonitorsService,
  ],
})
export class MonitoringModule {}
