import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { validateConfig } from '@sunshine/common';

/** The API's configuration, from the environment; validated at start (a bad value stops the app). */
export class ApiConfig {
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsOptional()
  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL?: string;

  @IsString()
  DATA_DIR: string = './data';

  @IsInt()
  @Min(1)
  @Max(65535)
  API_PORT: number = 3000;

  /** uploaded files (progress-report attachments); default DATA_DIR/files */
  @IsOptional()
  @IsString()
  FILES_DIR?: string;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must have at least 32 characters' })
  JWT_SECRET?: string;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'PII_KEY must have at least 32 characters' })
  PII_KEY?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';

  @IsInt()
  @Min(2)
  @Max(200)
  DB_POOL_SIZE: number = 20;
}

export const loadApiConfig = (env: NodeJS.ProcessEnv = process.env): ApiConfig =>
  validateConfig(ApiConfig, env);
