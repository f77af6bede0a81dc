export * from './jurisdictions.service';
export * from './jurisdictions.module';
