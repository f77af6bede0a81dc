import { Module } from '@nestjs/common';
import { JurisdictionsModule } from '@sunshine/jurisdictions';
import { ReferenceModule } from '@sunshine/reference';
import { IdleFundsService } from './idle-funds.service';
import { SpendingProgressService } from './spending-progress.service';

/** Monitoring (controls 6–10 of DOMAIN §3): spending progress and milestone schedules, so far. */
@Module({
  imports: [JurisdictionsModule, ReferenceModule],
  providers: [SpendingProgressService, IdleFundsService],
  exports: [SpendingProgressService, IdleFundsService],
})
export class MonitoringModule {}
