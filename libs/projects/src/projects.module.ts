import { Module } from '@nestjs/common';
import { ProjectChangesService } from './project-changes.service';
import { ProjectsService } from './projects.service';

/** The project library context (项目库): projects, their life cycle and their changes (项目变更). */
@Module({
  providers: [ProjectsService, ProjectChangesService],
  exports: [ProjectsService, ProjectChangesService],
})
export class ProjectsModule {}
