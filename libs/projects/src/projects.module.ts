import { Module } from '@nestjs/common';
import { ProjectsService } from './projects.service';

/** The project library context (项目库). */
@Module({ providers: [ProjectsService], exports: [ProjectsService] })
export class ProjectsModule {}
