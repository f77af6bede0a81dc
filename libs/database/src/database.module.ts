import { DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { dataSourceOptions } from './data-source';
import { TransactionRunner } from './transaction';

/** Registers the DataSource (from DATABASE_URL, which the embedded default sets) and the transaction runner. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: { applicationName: string; poolSize?: number }): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => {
            const url = process.env.DATABASE_URL;
            if (!url) throw new Error('DATABASE_URL is not set (the embedded PostgreSQL should have set it)');
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
