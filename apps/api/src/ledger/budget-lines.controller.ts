import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { Actor, IsIsoDate, IsYuan, Page, ROLES } from '@sunshine/common';
import type { IdempotencyContext } from '@sunshine/database';
import {
  AllocationsService,
  AllocationView,
  BudgetLinesService,
  BudgetLineView,
  toBudgetLineView,
} from '@sunshine/funds';
import { CurrentActor, Roles } from '@sunshine/identity';
import { JURISDICTION_CODE, PageQuery, ReasonDto } from '../http/common.dto';
import { Idempotency } from '../http/idempotency.decorator';

export class CreateBudgetLineDto {
  @ApiProperty({ example: 2026 })
  @IsInt()
  @Min(2000)
  @Max(2100)
  year: number;

  @ApiProperty({ example: 'CN-FIN' })
  @IsString()
  @Length(1, 64)
  sourceCode: string;

  @ApiProperty({ example: '450124' })
  @Matches(JURISDICTION_CODE, { message: 'jurisdictionCode must be a 6, 9 or 12 digit code' })
  jurisdictionCode: string;

  @ApiProperty({ example: '桂财农〔2026〕12号', description: '文号' })
  @IsString()
  @Length(1, 200)
  documentNo: string;

  @ApiProperty({ example: '2026年中央财政专项扶贫资金' })
  @IsString()
  @Length(1, 500)
  title: string;

  @ApiProperty({ example: '1200000.00', description: 'yuan, decimal string' })
  @IsYuan()
  amount: string;

  @ApiProperty({ example: '2026-03-01', description: 'when the funds arrived at the holder' })
  @IsIsoDate()
  receivedOn: string;

  @ApiPropertyOptional({
    example: '马山县财政局',
    description: 'the department holding the funds (default: finance bureau)',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  holderDepartment?: string;
}

export class CreateAllocationDto {
  @ApiProperty({ example: '450124' })
  @Matches(JURISDICTION_CODE, { message: 'toJurisdictionCode must be a 6, 9 or 12 digit code' })
  toJurisdictionCode: string;

  @ApiProperty({ example: '500000.00' })
  @IsYuan()
  amount: string;

  @ApiProperty({ example: '南财农〔2026〕30号' })
  @IsString()
  @Length(1, 200)
  documentNo: string;

  @ApiProperty({ example: '2026-04-15' })
  @IsIsoDate()
  issuedOn: string;

  @ApiPropertyOptional({
    example: '2026-04-20',
    description: 'when the money reached the receiver (default issuedOn)',
  })
  @IsOptional()
  @IsIsoDate()
  receivedOn?: string;

  @ApiPropertyOptional({ example: '马山县财政局' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  holderDepartment?: string;

  @ApiPropertyOptional({ description: 'title of the child line (default: the parent line title)' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  title?: string;
}

export class ListBudgetLinesQuery extends PageQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year?: number;

  @IsOptional()
  @Matches(JURISDICTION_CODE)
  jurisdictionCode?: string;

  @IsOptional()
  @IsString()
  sourceCode?: string;

  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  exact?: boolean;
}

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description: 'same key + same body → the first answer; another body → 409 IDEMPOTENCY_CONFLICT',
};

@ApiTags('fund ledger')
@ApiBearerAuth()
@Controller('api/budget-lines')
export class BudgetLinesController {
  constructor(
    private readonly lines: BudgetLinesService,
    private readonly allocations: AllocationsService,
  ) {}

  @Roles('finance', 'admin')
  @Post()
  @HttpCode(201)
  @ApiHeader(IDEMPOTENCY_HEADER)
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreateBudgetLineDto,
    @Idempotency() idem?: IdempotencyContext,
  ): Promise<BudgetLineView> {
    return (await this.lines.create(actor, dto, idem)).body;
  }

  @Roles(...ROLES)
  @Get()
  list(@CurrentActor() actor: Actor, @Query() q: ListBudgetLinesQuery): Promise<Page<BudgetLineView>> {
    return this.lines.list(actor, q);
  }

  @Roles(...ROLES)
  @Get(':id')
  async get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<BudgetLineView> {
    return toBudgetLineView(await this.lines.get(actor, id));
  }

  @Roles(...ROLES)
  @Get(':id/allocations')
  allocationsOf(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<AllocationView[]> {
    return this.allocations.listForLine(actor, id);
  }

  /** 切块下达: creates a child line held by the receiving jurisdiction. */
  @Roles('finance', 'admin')
  @Post(':id/allocations')
  @HttpCode(201)
  @ApiHeader(IDEMPOTENCY_HEADER)
  async allocate(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: CreateAllocationDto,
    @Idempotency() idem?: IdempotencyContext,
  ): Promise<AllocationView> {
    return (await this.allocations.create(actor, id, dto, idem)).body;
  }

  /** Corrects a mistaken root line (nothing allocated or assigned yet) by a reversal entry. */
  @Roles('finance', 'admin')
  @Post(':id/reversal')
  @HttpCode(201)
  @ApiHeader(IDEMPOTENCY_HEADER)
  async reverse(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: ReasonDto,
    @Idempotency() idem?: IdempotencyContext,
  ): Promise<BudgetLineView> {
    return (await this.lines.reverse(actor, id, dto.reason, idem)).body;
  }
}
