import { Module } from '@nestjs/common';
import { MonitoringModule } from '@sunshine/monitoring';
import { ProjectsModule } from '@sunshine/projects';
import { FundingsService } from './fundings.service';
import { FactorAllocationsService } from './factor-allocations.service';
import { AllocationsService } from './allocations.service';
import { BudgetLinesService } from './budget-lines.service';
import { IntegrityRunsService } from './integrity-runs.service';
import { LedgerIntegrityService } from './ledger-integrity.service';
import { LedgerRepository } from './ledger.repository';
import { PeriodsService } from './periods.service';
import { PublicLedgerQueries } from './public-ledger.queries';

/** The fund ledger context: budget lines, allocations, periods and the integrity check. */
@Module({
  imports: [ProjectsModule, MonitoringModule],
  providers: [
    FactorAllocationsService,
    FundingsService,
    LedgerRepository,
    BudgetLinesService,
    AllocationsService,
    PeriodsService,
    LedgerIntegrityService,
    IntegrityRunsService,
    PublicLedgerQueries,
  ],
  exports: [
    FactorAllocationsService,
    FundingsService,
    BudgetLinesService,
    AllocationsService,
    PeriodsService,
    LedgerIntegrityService,
    IntegrityRunsService,
    PublicLedgerQueries,
  ],
})
export class FundsModule {}

/** The public site's view of the ledger: PublicLedgerQueries alone (it reads the public views only). */
@Module({ providers: [PublicLedgerQueries], exports: [PublicLedgerQueries] })
export class PublicLedgerModule {}
