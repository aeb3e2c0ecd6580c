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

/** Nest's start-up chatter: one line per module and route, useful only when debugging the wiring. */
const WIRING_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/** Console logger at the configured level; at `info` the per-module/per-route start-up lines are left out. */
export class AppLogger extends ConsoleLogger {
  constructor(
    private readonly level: AppConfig['logLevel'],
    /** CLI commands keep stdout for their own output (e.g. `--json` lines), so every log line goes to stderr. */
    private readonly allToStderr = false,
  ) {
    super('evarchive', { logLevels: nestLogLevels(level), prefix: 'evarchive' });
  }

  protected override printMessages(messages: unknown[], context?: string, logLevel?: LogLevel, writeStreamType?: 'stdout' | 'stderr'): void {
    super.printMessages(messages, context, logLevel, this.allToStderr ? 'stderr' : writeStreamType);
  }

  override log(message: unknown, context?: string): void;
  override log(message: unknown, ...rest: unknown[]): void;
  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (this.level !== 'debug' && typeof context === 'string' && WIRING_CONTEXTS.has(context)) return;
    super.log(message, ...(rest as [string]));
  }
}

export function createLogger(level: AppConfig['logLevel'], opts: { allToStderr?: boolean } = {}): AppLogger {
  return new AppLogger(level, opts.allToStderr);
}
