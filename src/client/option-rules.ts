import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { Budget } from '../cost/budget.js';
import type { CostBounds } from '../cost/cost-bounds.js';
import { Ledger } from '../cost/ledger.js';
import { PriceCatalog } from '../cost/price-catalog.js';
import type { RetryEvent } from '../retry/retry-options.js';
import type { RetryPolicy } from '../retry/retry-policy.js';
import { RetryThrottle, type RetryThrottleOptions } from '../retry/retry-throttle.js';
import { largestMaxResponseBytes } from '../transport/response-size-limit.js';
import type { Logger } from '../transport/sdk-logger.js';
import type { Middleware } from '../transport/transport-types.js';
import type { AiaasClientOptions } from './aiaas-client-options.js';
import {
  checkOptions,
  missingMethods,
  type OptionRule,
  optionsSchema,
  refusing,
} from './option-validation.js';
import type { StreamRequestOptions } from './request-options.js';
import type { TelemetryMiddleware } from './telemetry-hook.js';

// An HTTP token (RFC 9110): what a header name may be made of.
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

const milliseconds = z.number().min(0);
/** Milliseconds where `Infinity` (and 0) mean "no limit". */
const millisecondsOrNone = z.union([milliseconds, z.literal(Number.POSITIVE_INFINITY)]);
const wholeCount = z.number().int().min(0);
const stringRecord = z.record(z.string(), z.string());

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

const headers = refusing<Readonly<Record<string, string>>>((value) => {
  if (!isPlainObject(value)) return 'not a plain object';
  for (const [name, header] of Object.entries(value)) {
    if (!headerName.test(name)) return `${JSON.stringify(name)} is not a valid header name`;
    if (typeof header !== 'string') return `the value of ${JSON.stringify(name)} is not a string`;
  }
  return undefined;
});

function methodsRule<T>(allowed: string, names: readonly string[]): OptionRule {
  return {
    allowed,
    schema: refusing<T>((value) => {
      const missing = missingMethods(value, names);
      return missing.length === 0 ? undefined : `it lacks ${missing.join(', ')}`;
    }),
  };
}

/** The options a client and a call share: a call's own value overrides the client's. */
const sharedRules = {
  timeout: {
    schema: millisecondsOrNone,
    allowed: 'a number of milliseconds ≥ 0 per attempt (0 or Infinity: no limit)',
  },
  deadline: {
    schema: z.union([z.number().gt(0), z.literal(Number.POSITIVE_INFINITY)]),
    allowed: 'a number of milliseconds > 0',
  },
  maxRetries: { schema: wholeCount, allowed: 'a whole number ≥ 0' },
  retryPolicy: methodsRule<RetryPolicy>(
    'a retry policy: an object with shouldRetry and delay methods, e.g. defaultRetryPolicy()',
    ['shouldRetry', 'delay'],
  ),
  onRetry: {
    schema: z.custom<(event: RetryEvent) => void>((value) => typeof value === 'function'),
    allowed: 'a function',
  },
  tags: { schema: stringRecord, allowed: "an object of string values, e.g. { team: 'search' }" },
  firstTokenTimeout: {
    schema: millisecondsOrNone,
    allowed: 'a number of milliseconds ≥ 0 (default 60000; 0 or Infinity turns it off)',
  },
  idleTimeout: {
    schema: millisecondsOrNone,
    allowed: 'a number of milliseconds ≥ 0 (default 300000; 0 or Infinity turns it off)',
  },
  maxResumes: { schema: wholeCount, allowed: 'a whole number ≥ 0' },
  maxResponseBytes: {
    schema: z.number().int().min(1).max(largestMaxResponseBytes),
    allowed: `a whole number of bytes from 1 to ${largestMaxResponseBytes} (default 268435456, 256 MiB)`,
  },
} satisfies Record<string, OptionRule>;

/**
 * Every client option's rule. Typed against {@link AiaasClientOptions}: an option added there
 * without a rule here (or the other way round) does not compile.
 */
export const clientOptionRules = {
  ...sharedRules,
  baseURL: { schema: z.string(), allowed: 'an http or https URL (a string)' },
  apiKey: {
    schema: z.union([z.string(), z.null()]),
    allowed: 'a string, or null for a server that needs no key',
    secret: true,
  },
  provider: { schema: z.enum(['openai', 'oip', 'ollama']), allowed: "'openai', 'oip' or 'ollama'" },
  retryThrottle: {
    allowed: 'retry throttle settings: a plain object such as { maxTokens: 500 }',
    schema: refusing<RetryThrottleOptions>((value) => {
      if (!isPlainObject(value)) return 'not a plain object';
      try {
        // The retry layer owns the rules of its bucket: a throttle built from the value applies them.
        new RetryThrottle(value as RetryThrottleOptions);
        return undefined;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    }),
  },
  uncertainChargeWaitMs: {
    schema: milliseconds,
    allowed: 'a number of milliseconds ≥ 0 (default 10000)',
  },
  idempotencyHeader: {
    schema: z.string().regex(headerName),
    allowed: "an HTTP header name, e.g. 'Idempotency-Key'",
  },
  pricing: {
    schema: z.custom<PriceCatalog | 'server'>((value) => value instanceof PriceCatalog || value === 'server'),
    allowed: "a PriceCatalog (PriceCatalog.fromObject(...), .fromFile(...)) or 'server'",
  },
  ledger: {
    allowed: 'a Ledger (new Ledger(...))',
    schema: refusing<Ledger>((value) => {
      if (value instanceof Ledger) return undefined;
      const missing = missingMethods(value, ['append', 'appendNow', 'entries', 'total']);
      return missing.length === 0 ? undefined : `it lacks ${missing.join(', ')}`;
    }),
  },
  budget: methodsRule<Budget>('a Budget (new Budget({ limits })), with reserve, settle and release methods', [
    'reserve',
    'settle',
    'release',
  ]),
  costBounds: {
    schema: z.record(
      z.string(),
      z.strictObject({
        maxInputBytes: wholeCount.optional(),
        maxOutputBytes: wholeCount.optional(),
        maxComputeMs: wholeCount.optional(),
      }),
    ) as z.ZodType<CostBounds>,
    allowed:
      'an object of { maxInputBytes?, maxOutputBytes?, maxComputeMs? } (whole numbers ≥ 0) per model name or glob',
  },
  apiKeyId: { schema: z.string(), allowed: 'a string (the id of the key, never the key)' },
  defaultHeaders: { schema: headers, allowed: 'an object of header names and string values', secret: true },
  dispatcher: methodsRule<Dispatcher>('an undici Dispatcher (Agent, Pool, ProxyAgent, MockAgent…)', [
    'dispatch',
  ]),
  connections: { schema: z.number().int().min(1), allowed: 'a whole number ≥ 1 (sockets per origin)' },
  logger: methodsRule<Logger>(
    'an object with debug, info, warn and error methods (like console, pino or winston)',
    ['debug', 'info', 'warn', 'error'],
  ),
  logArgumentOrder: {
    schema: z.enum(['message-first', 'fields-first']),
    allowed: "'message-first' or 'fields-first'",
  },
  logLevel: {
    schema: z.enum(['debug', 'info', 'warn', 'error', 'off']),
    allowed: "'debug', 'info', 'warn', 'error' or 'off'",
  },
  middleware: {
    schema: z.array(z.custom<Middleware>((value) => typeof value === 'function')),
    allowed: 'an array of middleware functions, (next) => (request) => response',
  },
  telemetry: methodsRule<TelemetryMiddleware>(
    'a telemetry middleware from aiaas/telemetry (createTelemetryMiddleware())',
    ['startCall'],
  ),
} satisfies Record<keyof AiaasClientOptions, OptionRule>;

/** The rules of a call's own options (`RequestOptions`, `StreamRequestOptions`), checked when the call is made. */
export const callOptionRules = {
  ...sharedRules,
  signal: {
    allowed: 'an AbortSignal',
    schema: refusing<AbortSignal>((value) =>
      value instanceof AbortSignal ||
      missingMethods(value, ['addEventListener', 'removeEventListener']).length === 0
        ? undefined
        : 'it is not an AbortSignal',
    ),
  },
  headers: { schema: headers, allowed: 'an object of header names and string values', secret: true },
  idempotencyKey: { schema: z.string().trim().min(1), allowed: 'a non-empty string' },
} satisfies Record<keyof StreamRequestOptions, OptionRule>;

const callOptionsSchema = optionsSchema(callOptionRules, false);

/**
 * Checks a call's own options when the call is made (the call then rejects); options a
 * resource adds (`version`, `outputs`) are its own business. Costs nothing for a call without options.
 *
 * @example
 * checkCallOptions({ timeout: -1 }); // throws InvalidOptionError: Invalid call option `timeout`: got -1; …
 */
export function checkCallOptions(options: StreamRequestOptions): void {
  if (typeof options === 'object' && options !== null) {
    let empty = true;
    for (const _name in options) {
      empty = false;
      break;
    }
    if (empty) return;
  }
  checkOptions(callOptionsSchema, callOptionRules, options, 'call option');
}
