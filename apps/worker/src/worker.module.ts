import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AuditLogModule } from '@sunshine/audit-log';
import { DatabaseModule } from '@sunshine/database';
import { EventsModule } from '@sunshine/events';
import { FundsModule } from '@sunshine/funds';
import { JobsModule } from '@sunshine/jobs';
import { JurisdictionsModule } from '@sunshine/jurisdictions';
import { MonitoringModule } from '@sunshine/monitoring';
import { DisclosureModule } from '@sunshine/disclosure';
import { NoticesProcessor } from './notices.processor';
import { ReferenceModule } from '@sunshine/reference';
import { IntegrityCheckProcessor } from './integrity-check.processor';
import { MonitorsProcessor } from './monitors.processor';
import { RollupProcessor } from './rollup.processor';
import { SchedulesService } from './schedules.service';

@Module({
  imports: [
    LoggerModule.forRoot({ pinoHttp: { level: process.env.LOG_LEVEL ?? 'info' } }),
    DatabaseModule.forRoot({ applicationName: 'sunshine-worker', poolSize: 5 }),
    JobsModule.forRoot(),
    AuditLogModule,
    EventsModule,
    JurisdictionsModule,
    ReferenceModule,
    FundsModule,
    MonitoringModule,
    DisclosureModule,
  ],
  providers: [
    NoticesProcessor,
    IntegrityCheckProcessor,
    MonitorsProcessor,
    RollupProcessor,
    SchedulesService,
  ],
})
export class WorkerModule {}
