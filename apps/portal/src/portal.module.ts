import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { DatabaseModule } from '@sunshine/database';
import { PublicDisclosureModule } from '@sunshine/disclosure';
import { PublicLedgerModule } from '@sunshine/funds';
import { PublicMonitoringModule } from '@sunshine/monitoring';
import { NoticesController } from './notices.controller';
import { PortalController } from './portal.controller';

/**
 * The public portal. It connects as its own database role (PORTAL_DATABASE_URL): SELECT on the public views,
 * INSERT into the objection intake, nothing else; so it imports only the public read paths.
 */
@Module({
  imports: [
    LoggerModule.forRoot({ pinoHttp: { level: process.env.LOG_LEVEL ?? 'info', autoLogging: true } }),
    DatabaseModule.forRoot({
      applicationName: 'sunshine-portal',
      poolSize: 10,
      urlVariable: 'PORTAL_DATABASE_URL',
    }),
    PublicLedgerModule,
    PublicDisclosureModule,
    PublicMonitoringModule,
    // objections: at most 10 a minute from one address (API.md); the guard is applied on that route only
    ThrottlerModule.forRoot({ throttlers: [{ name: 'default', ttl: 60_000, limit: 10 }] }),
  ],
  controllers: [PortalController, NoticesController],
})
export class PortalModule {}
