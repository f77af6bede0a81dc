import { types } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { ALL_MIGRATIONS } from '@sunshine/migrations';

// DATE columns stay 'YYYY-MM-DD' strings (no time-zone shift); int8 stays a string, read into bigint fen.
types.setTypeParser(types.builtins.DATE, (value: string) => value);

export interface DataSourceSettings {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

/**
 * The one DataSource definition, used by the apps (through DatabaseModule), the migration CLI,
 * the seed and the tests. Schema changes only through migrations: synchronize is always false.
 */
export function dataSourceOptions(settings: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: settings.url,
    entities: [],
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    // no query logging: TypeORM's error log prints the parameters (names, payees), and failures reach the
    // error filter anyway, which logs 500s without them
    logging: false,
    applicationName: settings.applicationName ?? 'sunshine-funds',
    extra: { max: settings.poolSize ?? 20 },
  };
}

export function createDataSource(settings: DataSourceSettings): DataSource {
  return new DataSource(dataSourceOptions(settings));
}
