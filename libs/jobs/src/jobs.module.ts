import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { QUEUES } from './queues';

function connectionFromUrl(url: string): {
  host: string;
  port: number;
  password?: string;
  username?: string;
  db?: number;
} {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    password: u.password ? decodeURIComponent(u.password) : undefined,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined,
  };
}

/** BullMQ on REDIS_URL (the private redis-server when none is configured); registers every queue. */
@Module({})
export class JobsModule {
  static forRoot(): DynamicModule {
    const queues = Object.values(QUEUES).map((name) => BullModule.registerQueue({ name }));
    return {
      module: JobsModule,
      global: true,
      imports: [
        BullModule.forRootAsync({
          useFactory: () => {
            const url = process.env.REDIS_URL;
            if (!url) throw new Error('REDIS_URL is not set (the private redis-server should have set it)');
            return {
              connection: { ...connectionFromUrl(url), maxRetriesPerRequest: null },
              prefix: process.env.QUEUE_PREFIX ?? 'sunshine',
            };
          },
        }),
        ...queues,
      ],
      exports: queues,
    };
  }
}
