import { Module } from '@nestjs/common';
import { AuditLogModule } from '@sunshine/audit-log';
import { DatabaseModule } from '@sunshine/database';
import { EventsModule } from '@sunshine/events';
import { DisclosureModule } from '@sunshine/disclosure';
import { FundsModule } from '@sunshine/funds';
import { IdentityModule } from '@sunshine/identity';
import { JurisdictionsModule } from '@sunshine/jurisdictions';
import { ReferenceModule } from '@sunshine/reference';
import { DemoDataLoader } from './demo-data.loader';

/** The domain services without HTTP, for the demo-data loader (setup) and the test fixtures. */
@Module({
  imports: [
    DatabaseModule.forRoot({ applicationName: 'sunshine-setup', poolSize: 4 }),
    AuditLogModule,
    EventsModule,
    JurisdictionsModule,
    ReferenceModule,
    IdentityModule,
    FundsModule,
    DisclosureModule,
  ],
  providers: [DemoDataLoader],
  exports: [DemoDataLoader],
})
export class DemoDataModule {}
