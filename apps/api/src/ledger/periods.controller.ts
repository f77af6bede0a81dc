import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Actor, ROLES } from '@sunshine/common';
import { PeriodsService, PeriodView } from '@sunshine/funds';
import { CurrentActor, Roles } from '@sunshine/identity';
import { JURISDICTION_CODE } from '../http/common.dto';

export class PeriodDto {
  @ApiProperty({ example: '450124' })
  @Matches(JURISDICTION_CODE, { message: 'jurisdictionCode must be a 6, 9 or 12 digit code' })
  jurisdictionCode: string;

  @ApiProperty({ example: 2026 })
  @IsInt()
  @Min(2000)
  @Max(2100)
  year: number;

  @ApiProperty({ example: 3, minimum: 1, maximum: 12 })
  @IsInt()
  @Min(1)
  @Max(12)
  month: number;
}

export class ReopenPeriodDto extends PeriodDto {
  @ApiProperty()
  @IsString()
  @Matches(/\S/, { message: 'reason must not be blank' })
  @MaxLength(1000)
  reason: string;
}

export class PeriodsQuery {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  year?: number;
}

@ApiTags('periods')
@ApiBearerAuth()
@Controller('api/periods')
export class PeriodsController {
  constructor(private readonly periods: PeriodsService) {}

  @Roles(...ROLES)
  @Get()
  list(@CurrentActor() actor: Actor, @Query() q: PeriodsQuery): Promise<PeriodView[]> {
    return this.periods.list(actor, q.year);
  }

  /** Finance closes a month for its jurisdiction's subtree. */
  @Roles('finance', 'admin')
  @Post('close')
  @HttpCode(201)
  close(@CurrentActor() actor: Actor, @Body() dto: PeriodDto): Promise<PeriodView> {
    return this.periods.close(actor, dto);
  }

  /** Only admin reopens, with a reason (logged). */
  @Roles('admin')
  @Post('reopen')
  @HttpCode(201)
  reopen(@CurrentActor() actor: Actor, @Body() dto: ReopenPeriodDto): Promise<PeriodView> {
    return this.periods.reopen(actor, dto);
  }
}
