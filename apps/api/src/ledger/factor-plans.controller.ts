import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Actor, IsIsoDate, IsYuan, ROLES } from '@sunshine/common';
import type { IdempotencyContext } from '@sunshine/database';
import { FactorAllocationsService, FactorPlanView } from '@sunshine/funds';
import { CurrentActor, Roles } from '@sunshine/identity';
import { JURISDICTION_CODE } from '../http/common.dto';
import { Idempotency } from '../http/idempotency.decorator';

export class FactorDto {
  @ApiProperty({ example: 'poor_people' })
  @Matches(/^[a-z][a-z0-9_]{0,39}$/, { message: 'code: lower-case letters, digits and _' })
  code: string;

  @ApiProperty({ example: '建档立卡贫困人口' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({ example: 6000, description: 'weight in basis points; the weights add up to 10000' })
  @IsInt()
  @Min(0)
  @Max(10_000)
  weightBp: number;
}

export class FactorRecipientDto {
  @ApiProperty({ example: '450124' })
  @Matches(JURISDICTION_CODE, { message: 'jurisdictionCode must be a 6, 9 or 12 digit code' })
  jurisdictionCode: string;

  @ApiProperty({
    example: { poor_people: '11.47', incidence: '7.73' },
    description: 'factor code → decimal string',
  })
  @IsObject()
  values: Record<string, string>;
}

export class FactorPlanDto {
  @ApiPropertyOptional({ example: '10000000.00', description: 'default: what the line has available' })
  @IsOptional()
  @IsYuan()
  amount?: string;

  @ApiProperty({ type: [FactorDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => FactorDto)
  factors: FactorDto[];

  @ApiProperty({ type: [FactorRecipientDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5000)
  @ValidateNested({ each: true })
  @Type(() => FactorRecipientDto)
  recipients: FactorRecipientDto[];
}

export class FinalFigureDto {
  @Matches(JURISDICTION_CODE)
  jurisdictionCode: string;

  @IsYuan()
  amount: string;
}

export class CommitFactorPlanDto {
  @ApiProperty({ example: '南财农〔2026〕50号' })
  @IsString()
  @Length(1, 200)
  documentNo: string;

  @ApiProperty({ example: '2026-04-15' })
  @IsIsoDate()
  issuedOn: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsIsoDate()
  receivedOn?: string;

  @ApiPropertyOptional({
    type: [FinalFigureDto],
    description: 'adjusted final figures (default: the proposal)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5000)
  @ValidateNested({ each: true })
  @Type(() => FinalFigureDto)
  allocations?: FinalFigureDto[];
}

@ApiTags('fund ledger')
@ApiBearerAuth()
@Controller('api')
export class FactorPlansController {
  constructor(private readonly plans: FactorAllocationsService) {}

  /** 因素法: proposes a split of the line by weighted factors (exact to the fen). Nothing moves yet. */
  @Roles('finance', 'admin')
  @Post('budget-lines/:id/factor-plans')
  @HttpCode(201)
  propose(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: FactorPlanDto,
  ): Promise<FactorPlanView> {
    return this.plans.propose(actor, id, dto);
  }

  @Roles(...ROLES)
  @Get('factor-plans/:id')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<FactorPlanView> {
    return this.plans.get(actor, id);
  }

  /** Records the final figures as allocations in one transaction (all or none). */
  @Roles('finance', 'admin')
  @Post('factor-plans/:id/commit')
  @HttpCode(201)
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async commit(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: CommitFactorPlanDto,
    @Idempotency() idem?: IdempotencyContext,
  ): Promise<FactorPlanView> {
    return (await this.plans.commit(actor, id, dto, idem)).body;
  }
}
