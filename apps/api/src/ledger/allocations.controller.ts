import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Actor, ROLES } from '@sunshine/common';
import type { IdempotencyContext } from '@sunshine/database';
import { AllocationsService, AllocationView } from '@sunshine/funds';
import { CurrentActor, Roles } from '@sunshine/identity';
import { ReasonDto } from '../http/common.dto';
import { Idempotency } from '../http/idempotency.decorator';

@ApiTags('fund ledger')
@ApiBearerAuth()
@Controller('api/allocations')
export class AllocationsController {
  constructor(private readonly allocations: AllocationsService) {}

  @Roles(...ROLES)
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<AllocationView> {
    return this.allocations.get(actor, id);
  }

  /** Returns the money to the parent line (422 INSUFFICIENT_BALANCE if the child line no longer has it). */
  @Roles('finance', 'admin')
  @Post(':id/reversal')
  @HttpCode(201)
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async reverse(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: ReasonDto,
    @Idempotency() idem?: IdempotencyContext,
  ): Promise<AllocationView> {
    return (await this.allocations.reverse(actor, id, dto.reason, idem)).body;
  }
}
