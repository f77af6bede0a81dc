import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { validateConfig } from '@sunshine/common';

export class PortalConfig {
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  DATA_DIR: string = './data';

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'PORTAL_DATABASE_URL must be a postgres:// URL' })
  PORTAL_DATABASE_URL?: string;

  @IsOptional()
  @Matches(/^[a-z_][a-z0-9_]{0,62}$/, { message: 'PORTAL_DB_ROLE must be a plain lower-case identifier' })
  PORTAL_DB_ROLE?: string;

  @IsInt()
  @Min(1)
  @Max(65535)
  PORTAL_PORT: number = 3001;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';
}

export const loadPortalConfig = (env: NodeJS.ProcessEnv = process.env): PortalConfig =>
  validateConfig(PortalConfig, env);
