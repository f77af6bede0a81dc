import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from './data-source';
import { TransactionRunner } from './transaction';

/** Registers the DataSource (from DATABASE_URL, which the embedded default sets) and the transaction runner. */
@Global()
@Module({})
export class DatabaseModule {
  /** `urlVariable`: where the URL comes from (the portal connects as its own role, PORTAL_DATABASE_URL). */
  static forRoot(options: {
    applicationName: string;
    poolSize?: number;
    urlVariable?: string;
  }): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => {
            const variable = options.urlVariable ?? 'DATABASE_URL';
            const url = process.env[variable];
            if (!url)
              throw new Error(
                `${variable} is not set (the embedded PostgreSQL or the portal start-up sets it)`,
              );
            return dataSourceOptions({
              url,
              applicationName: options.applicationName,
              poolSize: options.poolSize ?? Number(process.env.DB_POOL_SIZE ?? 20),
            });
          },
        }),
      ],
      providers: [TransactionRunner],
      exports: [TransactionRunner],
    };
  }
}
