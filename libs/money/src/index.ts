export * from './money';
export * from './factors';
