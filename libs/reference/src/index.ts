export * from './reference.service';
export * from './reference.module';
