export * from './budget-line.view';
export * from './budget-lines.service';
export * from './allocations.service';
export * from './periods.service';
export * from './ledger-integrity.service';
export * from './integrity-runs.service';
export * from './funds.module';
export * from './public-ledger.queries';
