import { AsyncLocalStorage } from 'node:async_hooks';
import { AiaasError } from '../errors/aiaas-error.js';
import type { Redactor } from './redactor.js';

/** Levels, most verbose first; `off` silences the SDK. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'off';

/** Anything console-like: `console`, pino, winston, bunyan. */
export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/**
 * How the logger takes a line's structured fields: `message-first` calls `logger.info(message,
 * fields)` (console, winston), `fields-first` calls `logger.info(fields, message)` (pino, bunyan).
 */
export type LogArgumentOrder = 'message-first' | 'fields-first';

/** The structured fields of a log line (`status`, `requestId`, `attempt`, …). */
export type LogFields = Readonly<Record<string, unknown>>;

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, off: 100 };
const logMethods = ['debug', 'info', 'warn', 'error'] as const;
// pino puts this on every logger and child (`pino.symbols.serializersSym`), registered with
// Symbol.for so that it is the same symbol in every copy of pino.
const pinoMarker = Symbol.for('pino.serializers');

export function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && Object.hasOwn(levelRank, value);
}

/** The level from the option, else `AIAAS_LOG`, else `warn`. An unknown option is refused; an unknown `AIAAS_LOG` falls back to `warn`. */
export function resolveLogLevel(option: LogLevel | undefined, environment: string | undefined): LogLevel {
  if (option !== undefined) {
    if (!isLogLevel(option)) {
      throw new AiaasError(
        `\`logLevel\` must be debug, info, warn, error or off, got ${JSON.stringify(option)}.`,
        { code: 'invalid_option' },
      );
    }
    return option;
  }
  const fromEnvironment = environment?.trim().toLowerCase();
  return isLogLevel(fromEnvironment) ? fromEnvironment : 'warn';
}

/**
 * The order the logger takes its arguments in: the option when given, else `fields-first` for
 * a pino logger (told by pino's own marker) and `message-first` for anything else.
 */
export function resolveLogArgumentOrder(
  target: Logger,
  option: LogArgumentOrder | undefined,
): LogArgumentOrder {
  if (option === undefined) return pinoMarker in target ? 'fields-first' : 'message-first';
  if (option !== 'message-first' && option !== 'fields-first') {
    throw new AiaasError(
      `\`logArgumentOrder\` must be 'message-first' or 'fields-first', got ${JSON.stringify(option)}.`,
      { code: 'invalid_option' },
    );
  }
  return option;
}

/**
 * The fields every line about a failure carries: the error's message, and its `code`, `status`
 * and `requestId` when it has them.
 *
 * @example
 * logger.warn('Cancelling the stream failed', { requestId, ...errorFields(error) });
 */
export function errorFields(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { error: String(error) };
  const fields: Record<string, unknown> = { error: error.message };
  const { code, status, requestId } = error as { code?: unknown; status?: unknown; requestId?: unknown };
  if (typeof code === 'string' || typeof code === 'number') fields.code = code;
  if (typeof status === 'number') fields.status = status;
  if (typeof requestId === 'string') fields.requestId = requestId;
  return fields;
}

/** The SDK's own logger: filters by level and redacts credentials before anything leaves. */
export interface SdkLogger {
  readonly level: LogLevel;
  enabled(level: Exclude<LogLevel, 'off'>): boolean;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /**
   * Runs `work` so that every line it logs, across its awaits, also carries `fields`: how a
   * call's operation and attempt number reach the transport's lines, which cannot know them.
   * Costs nothing (runs `work` as is) when info and debug lines are off.
   */
  withFields<Result>(fields: LogFields, work: () => Result): Result;
}

export interface SdkLoggerOptions {
  /** Detected from the logger when omitted (see {@link resolveLogArgumentOrder}). */
  argumentOrder?: LogArgumentOrder | undefined;
}

/**
 * Wraps a user's logger. Every line is `[aiaas] <message>` plus structured fields, handed over
 * in the order the logger expects, after the redactor removed credentials from both.
 *
 * @example
 * const logger = createSdkLogger(pino(), 'info', createRedactor([apiKey]));
 * logger.info('GET /v1/models -> 200', { status: 200, durationMs: 4 }); // pino: info({ status, durationMs }, '[aiaas] GET …')
 */
export function createSdkLogger(
  target: Logger,
  level: LogLevel,
  redactor: Redactor,
  options: SdkLoggerOptions = {},
): SdkLogger {
  const missing = logMethods.filter((method) => typeof target?.[method] !== 'function');
  if (missing.length > 0) {
    throw new AiaasError(
      `\`logger\` must have debug, info, warn and error methods (like console, pino or winston); it lacks ${missing.join(', ')}.`,
      { code: 'invalid_option' },
    );
  }
  const fieldsFirst = resolveLogArgumentOrder(target, options.argumentOrder) === 'fields-first';
  const enabled = (wanted: Exclude<LogLevel, 'off'>) => levelRank[wanted] >= levelRank[level];
  // Only made when info or debug lines are on: a call's context is only ever read by them.
  const context = enabled('info') ? new AsyncLocalStorage<LogFields>() : undefined;
  const emit =
    (wanted: Exclude<LogLevel, 'off'>) =>
    (message: string, fields?: LogFields): void => {
      if (!enabled(wanted)) return;
      const line = `[aiaas] ${redactor.text(message)}`;
      const merged = definedFields(context?.getStore(), fields);
      if (merged === undefined) target[wanted](line);
      else if (fieldsFirst)
        (target[wanted] as (fields: unknown, message: string) => void)(redactor.value(merged), line);
      else target[wanted](line, redactor.value(merged));
    };
  return {
    level,
    enabled,
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    withFields: (fields, work) => (context === undefined ? work() : context.run(fields, work)),
  };
}

/** The call's context and the line's own fields in one object, without undefined values; undefined if empty. */
function definedFields(
  context: LogFields | undefined,
  own: LogFields | undefined,
): Record<string, unknown> | undefined {
  let merged: Record<string, unknown> | undefined;
  for (const source of [context, own]) {
    if (source === undefined) continue;
    for (const name in source) {
      const value = source[name];
      if (value === undefined) continue;
      merged ??= {};
      merged[name] = value;
    }
  }
  return merged;
}
