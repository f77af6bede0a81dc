import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { Actor, IsIsoDate, IsYuan, ROLES } from '@sunshine/common';
import { CurrentActor, Roles } from '@sunshine/identity';
import { ProjectChangesService, ProjectChangeView } from '@sunshine/projects';

export class ProjectChangeValuesDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ description: '建设地点' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  location?: string;

  @ApiPropertyOptional({ description: '建设内容及规模' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  contentScale?: string;

  @ApiPropertyOptional({ example: '1350000.00' })
  @IsOptional()
  @IsYuan()
  plannedBudget?: string;

  @ApiPropertyOptional({ example: '2026-05-01' })
  @IsOptional()
  @IsIsoDate()
  startOn?: string;

  @ApiPropertyOptional({ example: '2026-12-31' })
  @IsOptional()
  @IsIsoDate()
  endOn?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  benefitMechanism?: string;

  @ApiPropertyOptional({ description: '项目责任人 (质量终身责任)' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  responsiblePerson?: string;
}

export class RequestProjectChangeDto {
  @ApiProperty({ example: '村民会议决定延长硬化路线 1.2 公里' })
  @IsString()
  @Length(2, 2000)
  reason: string;

  @ApiProperty({ type: ProjectChangeValuesDto, description: 'the new values of the fields that change' })
  @IsDefined()
  @ValidateNested()
  @Type(() => ProjectChangeValuesDto)
  changes: ProjectChangeValuesDto;
}

export class DecideProjectChangeDto {
  @ApiProperty({ example: '经县扶贫开发领导小组审议同意' })
  @IsString()
  @Length(2, 2000)
  comment: string;
}

@ApiTags('project changes (项目变更)')
@ApiBearerAuth()
@Controller('api')
export class ProjectChangesController {
  constructor(private readonly changes: ProjectChangesService) {}

  /** A change request with before/after; one open request per project (409 CHANGE_PENDING). */
  @Roles('project_owner', 'poverty_office')
  @Post('projects/:id/changes')
  @HttpCode(201)
  request(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: RequestProjectChangeDto,
  ): Promise<ProjectChangeView> {
    return this.changes.request(actor, id, dto);
  }

  @Roles(...ROLES)
  @Get('projects/:id/changes')
  list(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<ProjectChangeView[]> {
    return this.changes.list(actor, id);
  }

  @Roles(...ROLES)
  @Get('project-changes/:id')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<ProjectChangeView> {
    return this.changes.get(actor, id);
  }

  /** Approval applies the change to the project in the same transaction (county poverty office, not the requester). */
  @Roles('poverty_office')
  @Post('project-changes/:id/approve')
  @HttpCode(201)
  approve(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: DecideProjectChangeDto,
  ): Promise<ProjectChangeView> {
    return this.changes.decide(actor, id, 'approved', dto.comment);
  }

  @Roles('poverty_office')
  @Post('project-changes/:id/reject')
  @HttpCode(201)
  reject(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: DecideProjectChangeDto,
  ): Promise<ProjectChangeView> {
    return this.changes.decide(actor, id, 'rejected', dto.comment);
  }
}
