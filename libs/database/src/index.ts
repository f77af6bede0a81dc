export * from './data-source';
export * from './transaction';
export * from './database.module';
export * from './portal-role';
