import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { AuditLogService, AuditRecordView, AuditVerification } from '@sunshine/audit-log';
import { Actor, Page } from '@sunshine/common';
import { CurrentActor, Roles } from '@sunshine/identity';
import { PageQuery } from '../http/common.dto';

export class AuditLogQuery extends PageQuery {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  entityType?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  entityId?: string;
}

@ApiTags('audit log')
@ApiBearerAuth()
@Controller('api/audit-log')
export class AuditLogController {
  constructor(private readonly audit: AuditLogService) {}

  @Roles('admin', 'auditor', 'finance', 'poverty_office')
  @Get()
  list(@CurrentActor() actor: Actor, @Query() q: AuditLogQuery): Promise<Page<AuditRecordView>> {
    return this.audit.list(actor, q);
  }

  /** Recomputes every hash chain: an edited, deleted or reordered row makes valid false and says where. */
  @Roles('admin', 'auditor')
  @Get('verify')
  verify(): Promise<AuditVerification> {
    return this.audit.verify();
  }
}
