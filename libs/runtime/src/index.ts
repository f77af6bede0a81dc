export * from './embedded-postgres';
export * from './embedded-redis';
export * from './services';
export * from './free-port';
export * from './fs-access';
export * from './secrets';
