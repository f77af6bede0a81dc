import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AuditLogModule } from '@sunshine/audit-log';
import { DatabaseModule } from '@sunshine/database';
import { EventsModule } from '@sunshine/events';
import { FundsModule } from '@sunshine/funds';
import { JurisdictionsModule } from '@sunshine/jurisdictions';
import { ReferenceModule } from '@sunshine/reference';
import { PortalController } from './portal.controller';

/** The public portal. Its restricted database role (SELECT on public views only) comes with step 4. */
@Module({
  imports: [
    LoggerModule.forRoot({ pinoHttp: { level: process.env.LOG_LEVEL ?? 'info', autoLogging: true } }),
    DatabaseModule.forRoot({ applicationName: 'sunshine-portal', poolSize: 10 }),
    AuditLogModule,
    EventsModule,
    JurisdictionsModule,
    ReferenceModule,
    FundsModule,
  ],
  controllers: [PortalController],
})
export class PortalModule {}
