export * from './project-lifecycle';
export * from './projects.service';
export * from './projects.module';
export * from './project-changes.service';
export * from './progress-attachments.service';
