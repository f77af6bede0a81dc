import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { AuditLogModule } from '@sunshine/audit-log';
import { DatabaseModule } from '@sunshine/database';
import { EventsModule } from '@sunshine/events';
import { FundsModule } from '@sunshine/funds';
import { HouseholdsModule } from '@sunshine/households';
import { AuthGuard, IdentityModule } from '@sunshine/identity';
import { JobsModule } from '@sunshine/jobs';
import { JurisdictionsModule } from '@sunshine/jurisdictions';
import { PaymentsModule } from '@sunshine/payments';
import { ProjectsModule } from '@sunshine/projects';
import { ReferenceModule } from '@sunshine/reference';
import { CalendarModule } from '@sunshine/calendar';
import { MonitoringModule } from '@sunshine/monitoring';
import { DisclosureModule } from '@sunshine/disclosure';
import { NoticesController } from './disclosure/notices.controller';
import { AuditLogController } from './audit/audit-log.controller';
import { loggerParams } from './http/logging';
import { ImportsController } from './imports/imports.controller';
import { ImportsService } from './imports/imports.service';
import { AlertsController } from './monitoring/alerts.controller';
import { MonitoringController } from './monitoring/monitoring.controller';
import { AuthController } from './identity/auth.controller';
import { UsersController } from './identity/users.controller';
import { AllocationsController } from './ledger/allocations.controller';
import { BudgetLinesController } from './ledger/budget-lines.controller';
import { FactorPlansController } from './ledger/factor-plans.controller';
import { PeriodsController } from './ledger/periods.controller';
import { HouseholdsController } from './projects/households.controller';
import { AttachmentsController } from './projects/attachments.controller';
import { PaymentsController } from './projects/payments.controller';
import { ProjectChangesController } from './projects/project-changes.controller';
import { ProjectsController } from './projects/projects.controller';
import { ReferenceController } from './reference/reference.controller';
import { HealthController } from './system/health.controller';
import { IntegrityController } from './system/integrity.controller';

@Module({
  imports: [
    LoggerModule.forRoot(loggerParams(process.env.LOG_LEVEL ?? 'info')),
    DatabaseModule.forRoot({ applicationName: 'sunshine-api' }),
    JobsModule.forRoot(),
    TerminusModule,
    AuditLogModule,
    EventsModule,
    JurisdictionsModule,
    ReferenceModule,
    IdentityModule,
    FundsModule,
    ProjectsModule,
    PaymentsModule,
    HouseholdsModule,
    CalendarModule,
    MonitoringModule,
    DisclosureModule,
  ],
  controllers: [
    NoticesController,
    AuthController,
    UsersController,
    ReferenceController,
    BudgetLinesController,
    AllocationsController,
    PeriodsController,
    FactorPlansController,
    ProjectsController,
    ProjectChangesController,
    AttachmentsController,
    PaymentsController,
    HouseholdsController,
    ImportsController,
    MonitoringController,
    AlertsController,
    AuditLogController,
    IntegrityController,
    HealthController,
  ],
  providers: [{ provide: APP_GUARD, useClass: AuthGuard }, ImportsService],
})
export class ApiModule {}
