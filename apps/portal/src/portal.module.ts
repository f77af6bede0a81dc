import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AuditLogModule } from '@sunshine/audit-log';
import { DatabaseModule } from '@sunshine/database';
import { EventsModule } from '@sunshine/events';
import { FundsModule } from '@sunshine/funds';
import { JurisdictionsModule } from '@sunshine/jurisdictions';
import { ReferenceModule } from '@sunshine/reference';
import { ThrottlerModule } from '@nestjs/throttler';
import { PublicDisclosureModule } from '@sunshine/disclosure';
import { NoticesController } from './notices.controller';
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
    PublicDisclosureModule,
    // objections: at most 10 a minute from one address (API.md); the guard is applied on that route only
    ThrottlerModule.forRoot({ throttlers: [{ name: 'default', ttl: 60_000, limit: 10 }] }),
  ],
  controllers: [PortalController, NoticesController],
})
export class PortalModule {}
