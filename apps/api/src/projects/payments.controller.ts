import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { Actor, IsIsoDate, IsYuan, ROLES } from '@sunshine/common';
import type { IdempotencyContext } from '@sunshine/database';
import { CurrentActor, Roles } from '@sunshine/identity';
import { PaymentsService, PaymentView } from '@sunshine/payments';
import { ReasonDto } from '../http/common.dto';
import { Idempotency } from '../http/idempotency.decorator';

export class CreatePaymentDto {
  @ApiProperty()
  @IsUUID()
  projectId: string;

  @ApiProperty({ description: 'the payment draws on the project’s funding from this line' })
  @IsUUID()
  budgetLineId: string;

  @ApiProperty({ example: '35000.00' })
  @IsYuan()
  amount: string;

  @ApiProperty({ example: '马山县路桥工程有限公司' })
  @IsString()
  @Length(1, 200)
  payee: string;

  @ApiProperty({ example: 'construction_works', description: 'GET /api/payment-purposes' })
  @IsString()
  @Length(1, 64)
  purposeCode: string;

  @ApiProperty({ example: 'FP-2026-000123', description: 'invoice or contract number' })
  @IsString()
  @Length(1, 100)
  invoiceNo: string;

  @ApiProperty({ example: '2026-06-15' })
  @IsIsoDate()
  paidOn: string;

  @ApiPropertyOptional({ type: [String], description: '到户补助: ids of the households reached' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  beneficiaryHouseholdIds?: string[];
}

@ApiTags('payments')
@ApiBearerAuth()
@Controller('api/payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  /** 拨付/报账 with the dedicated-use controls; every refusal has its code and changes nothing. */
  @Roles('project_owner', 'finance', 'admin')
  @Post()
  @HttpCode(201)
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: CreatePaymentDto,
    @Idempotency() idem?: IdempotencyContext,
  ): Promise<PaymentView> {
    return (await this.payments.create(actor, dto, idem)).body;
  }

  @Roles(...ROLES)
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<PaymentView> {
    return this.payments.get(actor, id);
  }

  @Roles('project_owner', 'finance', 'admin')
  @Post(':id/reversal')
  @HttpCode(201)
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async reverse(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: ReasonDto,
    @Idempotency() idem?: IdempotencyContext,
  ): Promise<PaymentView> {
    return (await this.payments.reverse(actor, id, dto.reason, idem)).body;
  }
}
