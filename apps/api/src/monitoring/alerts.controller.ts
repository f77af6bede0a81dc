import { InjectQueue } from '@nestjs/bullmq';
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Queue } from 'bullmq';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { Actor, IsIsoDate, Page, ROLES, todayInChina } from '@sunshine/common';
import { CurrentActor, Roles } from '@sunshine/identity';
import { JOBS, QUEUES, RunMonitorsJob } from '@sunshine/jobs';
import {
  ALERT_RULES,
  ALERT_STATES,
  AlertRule,
  AlertState,
  AlertsService,
  AlertView,
  MonitorRunView,
  MonitorsService,
} from '@sunshine/monitoring';
import { JURISDICTION_CODE, PageQuery } from '../http/common.dto';

export class AlertsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ALERT_STATES })
  @IsOptional()
  @IsIn(ALERT_STATES)
  status?: AlertState;

  @ApiPropertyOptional({ enum: ALERT_RULES })
  @IsOptional()
  @IsIn(ALERT_RULES)
  rule?: AlertRule;

  @ApiPropertyOptional({ example: '450125' })
  @IsOptional()
  @Matches(JURISDICTION_CODE)
  jurisdictionCode?: string;
}

export class AlertPlanDto {
  @ApiProperty({ example: '10月底前完成剩余资金拨付，县财政局每周调度' })
  @IsString()
  @Length(2, 2000)
  plan: string;

  @ApiProperty({ example: '2025-11-30' })
  @IsIsoDate()
  dueOn: string;
}

export class AlertEvidenceDto {
  @ApiProperty({ example: '已拨付至项目单位，见上财农〔2025〕45号及银行回单' })
  @IsString()
  @Length(2, 2000)
  evidence: string;
}

export class MonitorRunDto {
  @ApiPropertyOptional({ example: '2025-06-30', description: 'date the monitors look at (default today)' })
  @IsOptional()
  @IsIsoDate()
  asOf?: string;
}

@ApiTags('alerts')
@ApiBearerAuth()
@Controller('api')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly monitors: MonitorsService,
    @InjectQueue(QUEUES.monitors) private readonly queue: Queue<RunMonitorsJob>,
  ) {}

  @Roles(...ROLES)
  @Get('alerts')
  list(@CurrentActor() actor: Actor, @Query() q: AlertsQuery): Promise<Page<AlertView>> {
    return this.alerts.list(actor, q);
  }

  /** The open alerts the caller's jurisdiction and role must act on (including those escalated to it). */
  @Roles(...ROLES)
  @Get('alerts/inbox')
  inbox(@CurrentActor() actor: Actor): Promise<AlertView[]> {
    return this.alerts.inbox(actor);
  }

  @Roles(...ROLES)
  @Get('alerts/:id')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<AlertView> {
    return this.alerts.get(actor, id);
  }

  @Roles('finance', 'poverty_office', 'project_owner', 'admin')
  @Post('alerts/:id/acknowledge')
  @HttpCode(201)
  acknowledge(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<AlertView> {
    return this.alerts.acknowledge(actor, id);
  }

  @Roles('finance', 'poverty_office', 'project_owner', 'admin')
  @Post('alerts/:id/plan')
  @HttpCode(201)
  plan(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: AlertPlanDto): Promise<AlertView> {
    return this.alerts.plan(actor, id, dto.plan, dto.dueOn);
  }

  @Roles('finance', 'poverty_office', 'project_owner', 'admin')
  @Post('alerts/:id/resolve')
  @HttpCode(201)
  resolve(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: AlertEvidenceDto,
  ): Promise<AlertView> {
    return this.alerts.resolve(actor, id, dto.evidence);
  }

  /** Queues a monitor run for a date (the worker runs it; the same date is queued once). */
  @Roles('admin')
  @Post('monitoring/runs')
  @HttpCode(202)
  async run(@Body() dto: MonitorRunDto): Promise<{ runKey: string; status: 'queued' }> {
    const asOf = dto.asOf ?? todayInChina();
    const runKey = `monitors-${asOf}`;
    await this.queue.add(
      JOBS.runMonitors,
      { asOf, runKey },
      { jobId: runKey, attempts: 3, backoff: { type: 'exponential', delay: 2000 } },
    );
    return { runKey, status: 'queued' };
  }

  @Roles('admin', 'auditor')
  @Get('monitoring/runs/:key')
  runView(@Param('key') key: string): Promise<MonitorRunView> {
    return this.monitors.view(key);
  }
}
