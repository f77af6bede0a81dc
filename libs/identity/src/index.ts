export * from './decorators';
export * from './users.service';
export * from './auth.service';
export * from './auth.guard';
export * from './identity.module';
