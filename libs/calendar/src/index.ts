export * from './working-days';
export * from './calendar.service';
export * from './calendar.module';
