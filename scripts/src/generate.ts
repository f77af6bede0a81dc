import 'reflect-metadata';
import { statfsSync } from 'node:fs';
import { BYTES_PER_PAYMENT, generateSynthetic, Scale, SCALES } from '@sunshine/demo-data';
import { ensureBackingServices } from '@sunshine/runtime';
import { prepareDatabase } from './prepare-database';

/**
 * `npm run generate -- --scale county|province|national --seed N`: deterministic synthetic data on the
 * real schema (after migrations and the reference data of the demo). National scale needs ~9 GB; when
 * the disk of a local database cannot hold it, the largest scale that fits is generated instead.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
  };
  let scale = arg('scale', 'county') as Scale;
  if (!(scale in SCALES)) throw new Error(`--scale must be one of ${Object.keys(SCALES).join(', ')}`);
  const seed = Number(arg('seed', '1'));
  if (!Number.isInteger(seed) || seed < 0) throw new Error('--seed must be a whole number');
  const services = await ensureBackingServices(process.env, { redis: false });
  try {
    const local = /@(127\.0\.0\.1|localhost)[:/]/.test(services.databaseUrl);
    if (local) {
      const fs = statfsSync(process.env.DATA_DIR ?? '/');
      const free = fs.bavail * fs.bsize;
      for (const candidate of ['national', 'province', 'county'] as Scale[]) {
        if (Object.keys(SCALES).indexOf(candidate) > Object.keys(SCALES).indexOf(scale)) continue;
        const s = SCALES[candidate];
        const payments = s.provinces * s.cities * s.counties * s.projects * s.payments;
        const need = payments * BYTES_PER_PAYMENT * 1.5;
        if (need < free) {
          if (candidate !== scale) {
            process.stderr.write(
              `not enough free disk for ${scale} (${(free / 1e9).toFixed(1)} GB free): generating ${candidate} instead; extrapolate from it\n`,
            );
          }
          scale = candidate;
          break;
        }
      }
    }
    await prepareDatabase(services.databaseUrl, { demoData: true });
    const t0 = Date.now();
    const result = await generateSynthetic(services.databaseUrl, scale, seed, (line) =>
      process.stderr.write(`  ${line}\n`),
    );
    process.stdout.write(
      `${JSON.stringify({ ...result, totalSeconds: Math.round((Date.now() - t0) / 100) / 10 }, null, 2)}\n`,
    );
  } finally {
    await services.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`generate failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
