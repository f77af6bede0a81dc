import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { validateConfig } from '@sunshine/common';

export class PortalConfig {
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  DATA_DIR: string = './data';

  @IsInt()
  @Min(1)
  @Max(65535)
  PORTAL_PORT: number = 3001;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: string = 'info';
}

export const loadPortalConfig = (env: NodeJS.ProcessEnv = process.env): PortalConfig =>
  validateConfig(PortalConfig, env);
