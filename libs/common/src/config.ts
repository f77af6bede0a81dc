import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/**
 * Validates `process.env` against a config class at start; a bad variable stops the app with a message
 * naming it. Used by every app's ConfigModule.forRoot({ validate }).
 */
export function validateConfig<T extends object>(cls: new () => T, env: Record<string, unknown>): T {
  const config = plainToInstance(cls, env, { enableImplicitConversion: true, exposeDefaultValues: true });
  const errors = validateSync(config, { skipMissingProperties: false, whitelist: false });
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.property}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new Error(`Invalid configuration (environment variables):\n${lines.join('\n')}`);
  }
  return config;
}
