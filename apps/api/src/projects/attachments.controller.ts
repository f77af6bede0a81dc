import { Controller, Get, HttpCode, Param, Post, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Actor, DomainError, ROLES } from '@sunshine/common';
import { CurrentActor, Roles } from '@sunshine/identity';
import {
  AttachmentView,
  MAX_ATTACHMENT_BYTES,
  ProgressAttachmentsService,
  ProgressReportView,
} from '@sunshine/projects';
import type { UploadedSheet } from '../imports/imports.controller';

@ApiTags('projects')
@ApiBearerAuth()
@Controller('api')
export class AttachmentsController {
  constructor(private readonly attachments: ProgressAttachmentsService) {}

  /** The project's progress reports, oldest first, each with its attachments. */
  @Roles(...ROLES)
  @Get('projects/:id/progress-reports')
  reports(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<ProgressReportView[]> {
    return this.attachments.listReports(actor, id);
  }

  /** A photo (JPEG, PNG, WebP) or PDF for a progress report, at most 10 MB; the type is read from the bytes. */
  @Roles('project_owner', 'poverty_office')
  @Post('projects/:id/progress-reports/:reportId/attachments')
  @HttpCode(201)
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1 } }))
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file'],
      properties: { file: { type: 'string', format: 'binary' } },
    },
  })
  attach(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('reportId') reportId: string,
    @UploadedFile() file: UploadedSheet | undefined,
  ): Promise<AttachmentView> {
    if (!file) {
      throw new DomainError('VALIDATION_FAILED', 'send the file as multipart field “file”', [
        { field: 'file', problem: 'missing' },
      ]);
    }
    return this.attachments.attach(actor, id, reportId, file);
  }

  /** The file, for users who may see the project; never rendered inline, never sniffed by the browser. */
  @Roles(...ROLES)
  @Get('attachments/:id')
  async download(@CurrentActor() actor: Actor, @Param('id') id: string, @Res() res: Response): Promise<void> {
    const f = await this.attachments.download(actor, id);
    res
      .status(200)
      .type(f.contentType)
      .attachment(f.filename)
      .set({
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'private, no-store',
        'Content-Security-Policy': "default-src 'none'; sandbox",
        'X-Content-SHA256': f.sha256,
      })
      .send(f.bytes);
  }
}
