export * from './payments.service';
export * from './payments.module';
