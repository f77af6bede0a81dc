export * from './tabular';
export * from './workbooks';
