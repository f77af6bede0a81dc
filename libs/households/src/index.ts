export * from './households.service';
export * from './households.module';
