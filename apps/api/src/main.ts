import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ensureBackingServices, ensureSecret, onShutdownSignal } from '@sunshine/runtime';
import { ApiModule } from './app.module';
import { loadApiConfig } from './config';
import { configureApiApp } from './http/configure';

async function main(): Promise<void> {
  const config = loadApiConfig();
  const services = await ensureBackingServices();
  process.env.JWT_SECRET = config.JWT_SECRET ?? ensureSecret(config.DATA_DIR, 'jwt-secret');
  process.env.PII_KEY = config.PII_KEY ?? ensureSecret(config.DATA_DIR, 'pii-key');
  const app = await NestFactory.create(ApiModule, { bufferLogs: true });
  configureApiApp(app);
  onShutdownSignal(async () => {
    await app.close();
    await services.stop();
  });
  await app.listen(config.API_PORT, process.env.API_HOST ?? '0.0.0.0');
  process.stderr.write(`api listening on http://localhost:${config.API_PORT} (docs: /api/docs)\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
