import type { Redactor } from './redactor.js';

/** Levels, most verbose first; `off` silences the SDK. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/** Anything console-like: `console`, pino, winston. */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, off: 100 };

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(levelRank, value);
}

/** The level from the option, else `AIAAS_LOG`, else `warn`. Unknown values fall back to `warn`. */
export function resolveLogLevel(option: LogLevel | undefined, environment: string | undefined): LogLevel {
  if (option) return option;
  const fromEnvironment = environment?.trim().toLowerCase();
  return isLogLevel(fromEnvironment) ? fromEnvironment : 'warn';
}

/** The SDK's own logger: filters by level and redacts credentials before anything leaves. */
export interface SdkLogger {
  readonly level: LogLevel;
  enabled(level: Exclude<LogLevel, 'off'>): boolean;
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export function createSdkLogger(target: Logger, level: LogLevel, redactor: Redactor): SdkLogger {
  const enabled = (wanted: Exclude<LogLevel, 'off'>) => levelRank[wanted] >= levelRank[level];
  const emit =
    (wanted: Exclude<LogLevel, 'off'>) =>
    (message: string, details?: Record<string, unknown>): void => {
      if (!enabled(wanted)) return;
      const line = `[aiaas] ${redactor.text(message)}`;
      if (details === undefined) target[wanted](line);
      else target[wanted](line, redactor.value(details));
    };
  return {
    level,
    enabled,
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
  };
}
