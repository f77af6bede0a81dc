import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Actor, IsIsoDate, IsYuan, Page, ROLES } from '@sunshine/common';
import type { IdempotencyContext } from '@sunshine/database';
import { FundingsService, FundingView } from '@sunshine/funds';
import { CurrentActor, Roles } from '@sunshine/identity';
import { ProjectsService, ProjectView } from '@sunshine/projects';
import { JURISDICTION_CODE, PageQuery } from '../http/common.dto';
import { Idempotency } from '../http/idempotency.decorator';

export class PerformanceTargetDto {
  @ApiProperty({ example: '硬化道路里程' })
  @IsString()
  @Length(1, 200)
  indicator: string;

  @ApiProperty({ example: '公里' })
  @IsString()
  @Length(1, 50)
  unit: string;

  @ApiProperty({ example: '12.5', description: 'a decimal number as a string' })
  @Matches(/^-?(0|[1-9][0-9]{0,14})(\.[0-9]{1,4})?$/, {
    message: 'targetValue must be a decimal number as a string',
  })
  targetValue: string;

  @ApiPropertyOptional({ example: '2026-12-31' })
  @IsOptional()
  @IsIsoDate()
  deadline?: string;
}

export class CreateProjectDto {
  @ApiProperty({ example: '古零镇演示村一通屯道路硬化' })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiProperty({ example: 'INFRA_ROAD' })
  @IsString()
  @Length(1, 64)
  categoryCode: string;

  @ApiProperty({ example: '450124101001' })
  @Matches(JURISDICTION_CODE, { message: 'jurisdictionCode must be a 6, 9 or 12 digit code' })
  jurisdictionCode: string;

  @ApiProperty({ example: '马山县交通运输局', description: '实施单位' })
  @IsString()
  @Length(1, 200)
  ownerUnit: string;

  @ApiProperty({ example: '韦某某', description: '质量终身责任人' })
  @IsString()
  @Length(1, 100)
  responsiblePerson: string;

  @ApiProperty({ example: '1200000.00' })
  @IsYuan()
  plannedBudget: string;

  @ApiProperty({ example: '2026-04-01' })
  @IsIsoDate()
  startOn: string;

  @ApiProperty({ example: '2026-11-30' })
  @IsIsoDate()
  endOn: string;

  @ApiProperty({ type: [PerformanceTargetDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => PerformanceTargetDto)
  performanceTargets: PerformanceTargetDto[];

  @ApiProperty({
    example: '优先聘用贫困户务工，道路通达后带动320户贫困户产业发展',
    description: '带贫减贫机制',
  })
  @IsString()
  @Length(1, 2000)
  benefitMechanism: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 500)
  location?: string;

  @ApiPropertyOptional({ description: '建设内容及规模' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  contentScale?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  poorHouseholds?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100_000_000)
  poorPeople?: number;
}

export class TransitionDto {
  @ApiProperty({ example: 'village_applied' })
  @IsString()
  @Length(1, 40)
  to: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  comment?: string;
}

export class IndicatorActualDto {
  @ApiProperty({ example: '硬化道路里程', description: 'one of the project’s performance indicators' })
  @IsString()
  @Length(1, 200)
  indicator: string;

  @ApiProperty({ example: '8.2' })
  @Matches(/^(0|[1-9][0-9]{0,14})(\.[0-9]{1,4})?$/, {
    message: 'actualValue must be a non-negative decimal number as a string',
  })
  actualValue: string;
}

export class ProgressReportDto {
  @ApiProperty({ example: '2026-06-30' })
  @IsIsoDate()
  asOf: string;

  @ApiProperty({ minimum: 0, maximum: 100 })
  @IsInt()
  @Min(0)
  @Max(100)
  percentComplete: number;

  @ApiProperty()
  @IsString()
  @Length(1, 5000)
  narrative: string;

  @ApiPropertyOptional({ description: 'required when the percentage goes down' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  correctionReason?: string;

  @ApiPropertyOptional({
    type: [IndicatorActualDto],
    description: 'actual values of performance indicators (绩效)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => IndicatorActualDto)
  indicatorActuals?: IndicatorActualDto[];
}

export class FundingDto {
  @ApiProperty()
  @IsUUID()
  budgetLineId: string;

  @ApiProperty({ example: '500000.00' })
  @IsYuan()
  amount: string;
}

export class ListProjectsQuery extends PageQuery {
  @IsOptional()
  @Matches(JURISDICTION_CODE)
  jurisdictionCode?: string;

  @IsOptional()
  @IsString()
  state?: string;
}

@ApiTags('projects')
@ApiBearerAuth()
@Controller('api/projects')
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly fundings: FundingsService,
  ) {}

  @Roles('poverty_office', 'project_owner', 'admin')
  @Post()
  @HttpCode(201)
  create(@CurrentActor() actor: Actor, @Body() dto: CreateProjectDto): Promise<ProjectView> {
    return this.projects.create(actor, dto);
  }

  @Roles(...ROLES)
  @Get()
  list(@CurrentActor() actor: Actor, @Query() q: ListProjectsQuery): Promise<Page<ProjectView>> {
    return this.projects.list(actor, q);
  }

  @Roles(...ROLES)
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<ProjectView> {
    return this.projects.get(actor, id);
  }

  /** Moves a project along its life cycle; anything the transition table does not allow → 409 INVALID_TRANSITION. */
  @Roles('poverty_office', 'project_owner', 'auditor', 'admin')
  @Post(':id/transitions')
  @HttpCode(201)
  transition(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: TransitionDto,
  ): Promise<ProjectView> {
    return this.projects.transition(actor, id, dto.to, dto.comment);
  }

  @Roles('project_owner', 'poverty_office')
  @Post(':id/progress-reports')
  @HttpCode(201)
  progress(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: ProgressReportDto) {
    return this.projects.addProgressReport(actor, id, dto);
  }

  /** 项目安排: assigns part of a budget line to an approved project. */
  @Roles('finance', 'poverty_office', 'admin')
  @Post(':id/fundings')
  @HttpCode(201)
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  async fund(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: FundingDto,
    @Idempotency() idem?: IdempotencyContext,
  ): Promise<FundingView> {
    return (await this.fundings.assign(actor, id, dto, idem)).body;
  }

  @Roles(...ROLES)
  @Get(':id/fundings')
  fundingsOf(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<FundingView[]> {
    return this.fundings.listForProject(actor, id);
  }
}
