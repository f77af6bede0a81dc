import { Module } from '@nestjs/common';
import { FundsModule } from '@sunshine/funds';
import { HouseholdsModule } from '@sunshine/households';
import { ProjectsModule } from '@sunshine/projects';
import { PaymentsService } from './payments.service';

/** The payments context (拨付/报账) and its write-time controls. */
@Module({
  imports: [FundsModule, ProjectsModule, HouseholdsModule],
  providers: [PaymentsService],
  exports: [PaymentsService],
})
export class PaymentsModule {}
