export * from './demo-data.loader';
export * from './demo-data.module';
export * from './synthetic';
