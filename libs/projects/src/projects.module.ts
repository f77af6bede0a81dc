import { Module } from '@nestjs/common';
import { StorageModule } from '@sunshine/storage';
import { ProgressAttachmentsService } from './progress-attachments.service';
import { ProjectChangesService } from './project-changes.service';
import { ProjectsService } from './projects.service';

/** The project library context (项目库): projects, their life cycle and their changes (项目变更). */
@Module({
  imports: [StorageModule],
  providers: [ProjectsService, ProjectChangesService, ProgressAttachmentsService],
  exports: [ProjectsService, ProjectChangesService, ProgressAttachmentsService],
})
export class ProjectsModule {}
