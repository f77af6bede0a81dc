import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { ensureBackingServices, onShutdownSignal } from '@sunshine/runtime';
import { loadWorkerConfig } from './config';
import { SchedulesService } from './schedules.service';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  loadWorkerConfig();
  const services = await ensureBackingServices();
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  await app.get(SchedulesService).upsertAll();
  onShutdownSignal(async () => {
    await app.close();
    await services.stop();
  });
  await app.init();
  process.stderr.write('worker started (BullMQ processors and schedules)\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
