import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import type { AppConfig } from '../config/config';

const LEVELS: Record<AppConfig['logLevel'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Nest's levels for the configured `logLevel` (config speaks info/debug; Nest calls them log/verbose). */
export function nestLogLevels(level: AppConfig['logLevel']): LogLevel[] {
  return LEVELS[level];
}

/** The application logger: Nest's console logger, prefixed `evarchive`, at the configured level. */
export function createLogger(level: AppConfig['logLevel']): ConsoleLogger {
  return new ConsoleLogger('evarchive', { logLevels: nestLogLevels(level), prefix: 'evarchive' });
}
