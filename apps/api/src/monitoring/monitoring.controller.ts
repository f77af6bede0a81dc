import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Actor, IsIsoDate, ROLES } from '@sunshine/common';
import { CalendarService } from '@sunshine/calendar';
import { CurrentActor, Roles } from '@sunshine/identity';
import {
  IdleFundsService,
  PerformanceService,
  TARGET_KINDS,
  TargetKind,
  TargetsService,
  ReportingDisciplineService,
  MilestoneScheduleView,
  SpendingProgressItem,
  SpendingProgressService,
} from '@sunshine/monitoring';
import { JURISDICTION_CODE } from '../http/common.dto';

const PERCENT = /^(100|[1-9]?[0-9])(\.[0-9]{1,2})?$/;

export class ProgressQuery {
  @ApiProperty({ example: 2025 })
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year: number;

  @ApiPropertyOptional({ example: '450125', description: 'default: the caller’s jurisdiction' })
  @IsOptional()
  @Matches(JURISDICTION_CODE)
  jurisdictionCode?: string;

  @ApiPropertyOptional({
    example: '2025-06-30',
    description: 'progress as it stood at the end of this day (default today)',
  })
  @IsOptional()
  @IsIsoDate()
  asOf?: string;

  @ApiPropertyOptional({ example: 'CN-FIN' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  sourceCode?: string;
}

export class IdleFundsQuery {
  @ApiPropertyOptional({ example: '450125' })
  @IsOptional()
  @Matches(JURISDICTION_CODE)
  jurisdictionCode?: string;

  @ApiPropertyOptional({ example: '2025-04-15' })
  @IsOptional()
  @IsIsoDate()
  asOf?: string;

  @ApiPropertyOptional({ example: 30, description: 'days after which held money counts as idle' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  days?: number;

  @ApiPropertyOptional({ example: 30, description: 'days a higher level has to pass funds on to counties' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(3650)
  issuanceDays?: number;
}

export class PerformanceQuery {
  @ApiProperty({ example: 2026 })
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year: number;

  @ApiPropertyOptional({ example: '450124' })
  @IsOptional()
  @Matches(JURISDICTION_CODE)
  jurisdictionCode?: string;
}

export class TargetsQuery {
  @ApiProperty({ example: '450124' })
  @Matches(JURISDICTION_CODE)
  jurisdictionCode: string;

  @ApiProperty({ example: 2026 })
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year: number;

  @ApiPropertyOptional({ example: '2026-11-24' })
  @IsOptional()
  @IsIsoDate()
  asOf?: string;
}

export class SetTargetDto {
  @ApiProperty({ example: '450124' })
  @Matches(JURISDICTION_CODE)
  jurisdictionCode: string;

  @ApiProperty({ example: 2026 })
  @IsInt()
  @Min(2000)
  @Max(2100)
  year: number;

  @ApiProperty({ enum: TARGET_KINDS })
  @IsIn(TARGET_KINDS)
  kind: TargetKind;

  @ApiProperty({ example: '1200', description: 'a whole number; yuan with up to 2 decimals for funds_spent' })
  @IsString()
  @Length(1, 20)
  targetValue: string;

  @ApiProperty({ example: '2026-12-31' })
  @IsIsoDate()
  deadline: string;

  @ApiProperty({ example: '马山县乡村振兴局' })
  @IsString()
  @Length(1, 200)
  responsibleUnit: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 500)
  note?: string;
}

export class PoorVillageDto {
  @ApiProperty({ example: '2014-10-17', description: '建档立卡 date' })
  @IsIsoDate()
  registeredOn: string;

  @ApiPropertyOptional({ example: '2026-10-30', description: '出列 date' })
  @IsOptional()
  @IsIsoDate()
  exitedOn?: string;
}

export class MilestoneDto {
  @ApiProperty({ example: '2025-06-30' })
  @IsIsoDate()
  dueOn: string;

  @ApiProperty({ example: '30', description: 'percent of the funds paid out by dueOn' })
  @Matches(PERCENT, { message: 'targetPercent must be 0–100 with at most two decimals' })
  targetPercent: string;
}

export class ScheduleQuery {
  @Matches(JURISDICTION_CODE)
  jurisdictionCode: string;

  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year: number;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  sourceCode?: string;
}

export class SetScheduleDto extends ScheduleQuery {
  @ApiProperty({ type: [MilestoneDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(24)
  @ValidateNested({ each: true })
  @Type(() => MilestoneDto)
  milestones: MilestoneDto[];

  @ApiPropertyOptional({ example: '对口帮扶三年计划：2016年30%，2017年80%，2018年100%' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  note?: string;
}

export class CalendarDayDto {
  @IsIsoDate()
  date: string;

  @IsBoolean()
  working: boolean;

  @IsString()
  @Length(1, 100)
  note: string;
}

export class CalendarOverridesDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(400)
  @ValidateNested({ each: true })
  @Type(() => CalendarDayDto)
  days: CalendarDayDto[];
}

export class CoverageQuery {
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  from: number;

  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  to: number;
}

@ApiTags('monitoring')
@ApiBearerAuth()
@Controller('api')
export class MonitoringController {
  constructor(
    private readonly progress: SpendingProgressService,
    private readonly idleFunds: IdleFundsService,
    private readonly reporting: ReportingDisciplineService,
    private readonly performance: PerformanceService,
    private readonly targetsService: TargetsService,
    private readonly calendar: CalendarService,
  ) {}

  /** 挂图作战: the jurisdiction's targets of the year against actuals counted from the data (for charts). */
  @Roles(...ROLES)
  @Get('monitoring/targets')
  targets(@CurrentActor() actor: Actor, @Query() q: TargetsQuery) {
    return this.targetsService.targets(actor, q);
  }

  @Roles('poverty_office', 'finance', 'admin')
  @Put('monitoring/targets')
  setTarget(@CurrentActor() actor: Actor, @Body() dto: SetTargetDto) {
    return this.targetsService.setTarget(actor, dto);
  }

  /** 贫困村 registration and exit (出列), counted by the villages target. */
  @Roles('poverty_office')
  @Put('poor-villages/:code')
  setVillage(@CurrentActor() actor: Actor, @Param('code') code: string, @Body() dto: PoorVillageDto) {
    return this.targetsService.setVillage(actor, {
      villageCode: code,
      registeredOn: dto.registeredOn,
      exitedOn: dto.exitedOn,
    });
  }

  /** 绩效评价: year-end attainment of performance targets per project (met / partly / not met) and per county. */
  @Roles(...ROLES)
  @Get('monitoring/performance')
  performanceAttainment(@CurrentActor() actor: Actor, @Query() q: PerformanceQuery) {
    return this.performance.attainment(actor, q);
  }

  /** 进度报告纪律: per county, implementing projects and those with no progress report for `days` (30) days. */
  @Roles(...ROLES)
  @Get('monitoring/reporting')
  reportingDiscipline(@CurrentActor() actor: Actor, @Query() q: IdleFundsQuery) {
    return this.reporting.report(actor, { jurisdictionCode: q.jurisdictionCode, asOf: q.asOf, days: q.days });
  }

  /** 滞留资金 per holder with days held, late issuance from above-county levels, carry-over balances to recover. */
  @Roles(...ROLES)
  @Get('monitoring/idle-funds')
  idle(@CurrentActor() actor: Actor, @Query() q: IdleFundsQuery) {
    return this.idleFunds.report(actor, q);
  }

  /** 支出进度 of a jurisdiction and each of its children, as of any date, with the milestone in force and a status. */
  @Roles(...ROLES)
  @Get('monitoring/progress')
  spendingProgress(
    @CurrentActor() actor: Actor,
    @Query() q: ProgressQuery,
  ): Promise<{ year: number; asOf: string; items: SpendingProgressItem[] }> {
    return this.progress.progress(actor, q);
  }

  @Roles(...ROLES)
  @Get('monitoring/milestones')
  schedule(@CurrentActor() actor: Actor, @Query() q: ScheduleQuery): Promise<MilestoneScheduleView> {
    return this.progress.getSchedule(actor, q);
  }

  /** 序时进度 schedule for a jurisdiction's subtree and year (optionally one source); multi-year plans allowed. */
  @Roles('finance', 'admin')
  @Put('monitoring/milestones')
  setSchedule(@CurrentActor() actor: Actor, @Body() dto: SetScheduleDto): Promise<MilestoneScheduleView> {
    return this.progress.setSchedule(actor, dto);
  }

  /** Which years have a working-day calendar (package or overrides); a year without one is listed as such. */
  @Roles(...ROLES)
  @Get('calendar/coverage')
  coverage(@Query() q: CoverageQuery) {
    return this.calendar.coverage(q.from, Math.min(q.to, q.from + 50));
  }

  @Roles('admin')
  @Put('calendar/overrides')
  async overrides(
    @CurrentActor() actor: Actor,
    @Body() dto: CalendarOverridesDto,
  ): Promise<{ saved: number }> {
    await this.calendar.setOverrides(actor, dto.days);
    return { saved: dto.days.length };
  }
}
