export * from './progress-rules';
export * from './spending-progress.service';
export * from './monitoring.module';
export * from './idle-funds.service';
export * from './alerts.service';
export * from './monitors.service';
export * from './reporting-discipline.service';
export * from './performance.service';
