import { Controller, Get, HttpCode, Param, Post, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor, DomainError, ROLES } from '@sunshine/common';
import type { IdempotencyContext } from '@sunshine/database';
import { CurrentActor, Public, Roles } from '@sunshine/identity';
import { Idempotency } from '../http/idempotency.decorator';
import { IMPORT_KINDS, ImportKind } from './import-specs';
import { ImportReport, ImportsService } from './imports.service';

/** What multer (memory storage) hands over for the `file` field. */
export interface UploadedSheet {
  buffer: Buffer;
  originalname: string;
  size: number;
  mimetype: string;
}

/** Upload limit of one import file (a 50,000-row sheet is far below it). */
export const MAX_IMPORT_BYTES = 20 * 1024 * 1024;

const upload = FileInterceptor('file', { limits: { fileSize: MAX_IMPORT_BYTES, files: 1 } });

const fileBody = {
  schema: {
    type: 'object',
    required: ['file'],
    properties: { file: { type: 'string', format: 'binary', description: 'XLSX or CSV (UTF-8 or GBK)' } },
  },
};

function mustHaveFile(file: UploadedSheet | undefined): UploadedSheet {
  if (!file) {
    throw new DomainError('VALIDATION_FAILED', 'send the sheet as multipart field “file”', [
      { field: 'file', problem: 'missing' },
    ]);
  }
  return file;
}

@ApiTags('imports')
@ApiBearerAuth()
@Controller('api/imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  /** 批量分配下达: all rows or none; 422 IMPORT_REJECTED carries the row-level report. */
  @Roles('finance', 'admin')
  @Post('allocations')
  @HttpCode(201)
  @UseInterceptors(upload)
  @ApiConsumes('multipart/form-data')
  @ApiBody(fileBody)
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  allocations(
    @CurrentActor() actor: Actor,
    @UploadedFile() file: UploadedSheet | undefined,
    @Idempotency() idem?: IdempotencyContext,
  ): Promise<ImportReport> {
    return this.imports.run(actor, 'allocations', mustHaveFile(file), idem);
  }

  /** 批量拨付报账: every payment control applies to every row; all rows or none. */
  @Roles('project_owner', 'finance', 'admin')
  @Post('payments')
  @HttpCode(201)
  @UseInterceptors(upload)
  @ApiConsumes('multipart/form-data')
  @ApiBody(fileBody)
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  payments(
    @CurrentActor() actor: Actor,
    @UploadedFile() file: UploadedSheet | undefined,
    @Idempotency() idem?: IdempotencyContext,
  ): Promise<ImportReport> {
    return this.imports.run(actor, 'payments', mustHaveFile(file), idem);
  }

  /** Templates with Chinese headers: `allocations.xlsx`, `allocations.csv`, `payments.xlsx`, `payments.csv`. */
  @Public()
  @Get('templates/:name')
  async template(@Param('name') name: string, @Res() res: Response): Promise<void> {
    const m = /^(allocations|payments)\.(xlsx|csv)$/.exec(name);
    if (!m || !IMPORT_KINDS.includes(m[1] as ImportKind)) {
      throw new DomainError('NOT_FOUND', `no template ${name}`, [{ field: 'name', problem: 'not found' }]);
    }
    const format = m[2] as 'xlsx' | 'csv';
    const bytes = await this.imports.template(m[1] as ImportKind, format);
    res
      .status(200)
      .type(
        format === 'xlsx'
          ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'
          : 'text/csv; charset=utf-8',
      )
      .attachment(name)
      .send(bytes);
  }

  @Roles(...ROLES)
  @Get(':id')
  get(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.imports.get(actor, id);
  }

  /** The row-level error report of a refused import as XLSX (行号, 列, 错误代码, 说明). */
  @Roles(...ROLES)
  @Get(':id/report.xlsx')
  async report(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const { filename, bytes } = await this.imports.reportXlsx(actor, id);
    res
      .status(200)
      .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .attachment(filename)
      .send(bytes);
  }
}
