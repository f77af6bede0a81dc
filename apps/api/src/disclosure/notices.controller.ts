import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Actor, IsIsoDate, Page, ROLES } from '@sunshine/common';
import {
  NOTICE_STATUSES,
  NOTICE_TYPES,
  NoticesService,
  NoticeStatus,
  NoticeType,
  NoticeView,
  ObjectionsService,
  ObjectionView,
} from '@sunshine/disclosure';
import { CurrentActor, Roles } from '@sunshine/identity';
import { JURISDICTION_CODE, PageQuery, ReasonDto } from '../http/common.dto';

export class NoticesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: NOTICE_TYPES })
  @IsOptional()
  @IsIn(NOTICE_TYPES)
  type?: NoticeType;

  @ApiPropertyOptional({ enum: NOTICE_STATUSES })
  @IsOptional()
  @IsIn(NOTICE_STATUSES)
  status?: NoticeStatus;

  @ApiPropertyOptional({ description: 'what the notice discloses (a D2: the allocation id)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  subjectId?: string;

  @ApiPropertyOptional({ example: '450124' })
  @IsOptional()
  @Matches(JURISDICTION_CODE)
  jurisdictionCode?: string;

  @ApiPropertyOptional({ example: 2025 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  year?: number;

  @ApiPropertyOptional({ description: 'only notices past their deadline and not yet published' })
  @IsOptional()
  @Transform(({ value }) => value === true || value === 'true')
  @IsBoolean()
  overdue?: boolean;
}

export class ExtraFieldDto {
  @IsString()
  @Length(1, 50)
  label: string;

  @IsString()
  @Length(1, 5000)
  value: string;
}

export class CreateNoticeDto {
  @ApiProperty({ enum: ['D1', 'D3', 'D6'] })
  @IsIn(['D1', 'D3', 'D6'])
  type: 'D1' | 'D3' | 'D6';

  @ApiProperty({ example: '450124' })
  @Matches(JURISDICTION_CODE)
  jurisdictionCode: string;

  @ApiProperty({ example: '马政办发〔2025〕12号' })
  @IsString()
  @Length(2, 100)
  documentNo: string;

  @ApiProperty({ example: '2025-03-10' })
  @IsIsoDate()
  issuedOn: string;

  @ApiProperty({ example: '马山县2025年统筹整合财政涉农资金实施方案' })
  @IsString()
  @Length(2, 200)
  title: string;

  @ApiProperty()
  @IsString()
  @Length(1, 50_000)
  body: string;

  @ApiPropertyOptional({ type: [ExtraFieldDto] })
  @IsOptional()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ExtraFieldDto)
  fields?: ExtraFieldDto[];

  @ApiPropertyOptional({ description: 'D6: the planned payment date the list must be out before' })
  @IsOptional()
  @IsIsoDate()
  dueBy?: string;
}

export class CorrectionFieldDto {
  @IsString()
  @Matches(/^[A-Za-z][A-Za-z0-9._-]{0,49}$/)
  key: string;

  @IsString()
  @Length(1, 50)
  label: string;

  @IsString()
  @Length(0, 5000)
  value: string;
}

export class CorrectionDto extends ReasonDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(2, 200)
  title?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(50_000)
  body?: string;

  @ApiPropertyOptional({ type: [CorrectionFieldDto], description: 'fields replaced by key, or added' })
  @IsOptional()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => CorrectionFieldDto)
  fields?: CorrectionFieldDto[];
}

export class AnswerDto {
  @ApiProperty({ example: '经核实，该项目资金已按公示金额拨付，详见县财政局拨款凭证。' })
  @IsString()
  @Length(2, 5000)
  answer: string;
}

/** 公告公示 for staff: notices drafted from events or entered by hand, approved, published, corrected, withdrawn. */
@ApiTags('notices')
@ApiBearerAuth()
@Controller('api')
export class NoticesController {
  constructor(
    private readonly notices: NoticesService,
    private readonly objections: ObjectionsService,
  ) {}

  @Roles(...ROLES)
  @Get('notices')
  list(@CurrentActor() actor: Actor, @Query() q: NoticesQuery): Promise<Page<NoticeView>> {
    return this.notices.list(actor, q);
  }

  @Roles('poverty_office')
  @Post('notices')
  create(@CurrentActor() actor: Actor, @Body() dto: CreateNoticeDto): Promise<NoticeView> {
    return this.notices.createManual(actor, dto);
  }

  @Roles(...ROLES)
  @Get('notices/:id')
  get(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<NoticeView> {
    return this.notices.get(actor, id);
  }

  @Roles('finance', 'poverty_office', 'project_owner')
  @Post('notices/:id/approve')
  @HttpCode(201)
  approve(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<NoticeView> {
    return this.notices.act(actor, id, 'approve');
  }

  @Roles('finance', 'poverty_office', 'project_owner')
  @Post('notices/:id/publish')
  @HttpCode(201)
  publish(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<NoticeView> {
    return this.notices.act(actor, id, 'publish');
  }

  @Roles('finance', 'poverty_office', 'project_owner')
  @Post('notices/:id/corrections')
  @HttpCode(201)
  correct(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: CorrectionDto,
  ): Promise<NoticeView> {
    return this.notices.act(actor, id, 'correct', dto);
  }

  @Roles('finance', 'poverty_office', 'project_owner')
  @Post('notices/:id/withdrawal')
  @HttpCode(201)
  withdraw(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: ReasonDto,
  ): Promise<NoticeView> {
    return this.notices.act(actor, id, 'withdraw', dto);
  }

  @Roles(...ROLES)
  @Get('notices/:id/objections')
  objectionsOf(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<ObjectionView[]> {
    return this.objections.listForNotice(actor, id);
  }

  @Roles('finance', 'poverty_office', 'project_owner')
  @Post('objections/:id/answer')
  @HttpCode(201)
  answer(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: AnswerDto,
  ): Promise<ObjectionView> {
    return this.objections.answer(actor, id, dto.answer);
  }
}
