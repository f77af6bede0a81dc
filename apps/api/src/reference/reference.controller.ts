import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Actor, ROLES } from '@sunshine/common';
import { CurrentActor, Roles } from '@sunshine/identity';
import { JurisdictionNode, JurisdictionsService } from '@sunshine/jurisdictions';
import { FundSource, PaymentPurpose, ProjectCategory, ReferenceService } from '@sunshine/reference';

@ApiTags('reference data')
@ApiBearerAuth()
@Roles(...ROLES)
@Controller('api')
export class ReferenceController {
  constructor(
    private readonly jurisdictions: JurisdictionsService,
    private readonly reference: ReferenceService,
  ) {}

  /** The caller's visible tree, rooted at its own node. */
  @Get('jurisdictions')
  tree(@CurrentActor() actor: Actor): Promise<JurisdictionNode[]> {
    return this.jurisdictions.treeFor(actor);
  }

  @Get('fund-sources')
  fundSources(): Promise<FundSource[]> {
    return this.reference.fundSources();
  }

  @Get('project-categories')
  categories(): Promise<ProjectCategory[]> {
    return this.reference.projectCategories();
  }

  /** Purposes with `prohibited: true` are the negative list (财农〔2017〕8号). */
  @Get('payment-purposes')
  purposes(): Promise<PaymentPurpose[]> {
    return this.reference.paymentPurposes();
  }
}
