import { describe, expect, it } from 'vitest';
import { AiaasClient } from '../../../src/client/aiaas-client.js';
import type { AiaasClientOptions } from '../../../src/client/aiaas-client-options.js';
import { Budget } from '../../../src/cost/budget.js';
import { Ledger } from '../../../src/cost/ledger.js';
import { Money } from '../../../src/cost/money.js';
import { PriceCatalog } from '../../../src/cost/price-catalog.js';
import { AiaasError, InvalidOptionError } from '../../../src/errors/index.js';
import { defaultRetryPolicy } from '../../../src/retry/retry-policy.js';
import { createAgent } from '../../../src/transport/create-agent.js';

const base = { baseURL: 'http://127.0.0.1:9/v1', apiKey: null } as const;

/** The error `new AiaasClient(options)` throws; fails the test when it makes a client instead. */
function refusalOf(options: unknown): InvalidOptionError {
  let made: AiaasClient | undefined;
  try {
    made = new AiaasClient(options as AiaasClientOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect(AiaasError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'invalid_option', retryable: false });
    return error as InvalidOptionError;
  }
  void made.close();
  throw new Error(`expected ${JSON.stringify(Object.keys(options as object))} to be refused`);
}

const pricing = PriceCatalog.fromObject({
  currency: 'USD',
  cards: [{ id: 'ref-chat', prices: [{ effectiveFrom: '2024-01-01', inputPerMillionTokens: '1' }] }],
});

// [the option as given, the option the error names, what the message says was given, and allowed].
const refusals: [Record<string, unknown>, string, RegExp][] = [
  [
    { budget: { limit: '1' } },
    'budget',
    /got a plain object with key "limit"; expected a Budget .*\(it lacks reserve, settle, release\)/,
  ],
  [{ pricing: 'bogus' }, 'pricing', /got "bogus"; expected a PriceCatalog .* or 'server'/],
  [{ pricing: { cards: [] } }, 'pricing', /got a plain object with key "cards"; expected a PriceCatalog/],
  [
    { ledger: { append() {} } },
    'ledger',
    /expected a Ledger \(new Ledger\(\.\.\.\)\) \(it lacks appendNow, entries, total\)/,
  ],
  [{ timeout: -1 }, 'timeout', /got -1; expected a number of milliseconds ≥ 0/],
  [{ timeout: Number.NaN }, 'timeout', /got NaN; expected a number of milliseconds/],
  [{ timeout: '5000' }, 'timeout', /got "5000"; expected a number of milliseconds/],
  [{ deadline: 0 }, 'deadline', /got 0; expected a number of milliseconds > 0/],
  [{ maxRetries: 1.5 }, 'maxRetries', /got 1.5; expected a whole number ≥ 0/],
  [{ maxRetries: -1 }, 'maxRetries', /got -1; expected a whole number ≥ 0/],
  [{ retryPolicy: { shouldRetry() {} } }, 'retryPolicy', /expected a retry policy.*\(it lacks delay\)/],
  [{ onRetry: 'log' }, 'onRetry', /got "log"; expected a function/],
  [
    { retryThrottle: 10 },
    'retryThrottle',
    /got 10; expected retry throttle settings.*\(not a plain object\)/,
  ],
  [
    { retryThrottle: { maxTokens: -5 } },
    'retryThrottle',
    /got a plain object with key "maxTokens"; expected retry throttle settings.*\(.*maxTokens.*-5/,
  ],
  [
    { idempotencyHeader: 'Idempotency Key' },
    'idempotencyHeader',
    /got "Idempotency Key"; expected an HTTP header name/,
  ],
  [
    { firstTokenTimeout: -1 },
    'firstTokenTimeout',
    /got -1; expected a number of milliseconds ≥ 0 \(default 60000; 0 or Infinity turns it off\)/,
  ],
  [
    { idleTimeout: 'slow' },
    'idleTimeout',
    /got "slow"; expected a number of milliseconds ≥ 0 \(default 300000/,
  ],
  [{ maxResumes: 2.5 }, 'maxResumes', /got 2.5; expected a whole number ≥ 0/],
  [
    { maxResponseBytes: 0 },
    'maxResponseBytes',
    /got 0; expected a whole number of bytes from 1 to \d+ \(default 268435456, 256 MiB\)/,
  ],
  [
    { maxResponseBytes: 2 ** 31 },
    'maxResponseBytes',
    /got 2147483648; expected a whole number of bytes from 1 to/,
  ],
  [
    { costBounds: { 'ref-*': { maxOutputBytes: -1 } } },
    'costBounds.ref-*.maxOutputBytes',
    /got -1; expected an object of \{ maxInputBytes\?/,
  ],
  [
    { costBounds: { 'ref-*': { maxOutput: 5 } } },
    'costBounds.ref-*',
    /unknown field `maxOutput`; expected an object of \{ maxInputBytes\?/,
  ],
  [{ tags: { team: 7 } }, 'tags.team', /got 7; expected an object of string values/],
  [{ apiKeyId: 42 }, 'apiKeyId', /got 42; expected a string/],
  [
    { defaultHeaders: { 'x team': 'a' } },
    'defaultHeaders',
    /got a plain object with key "x team"; expected an object of header names and string values \("x team" is not a valid header name\)/,
  ],
  [
    { dispatcher: {} },
    'dispatcher',
    /got an empty object; expected an undici Dispatcher .*\(it lacks dispatch\)/,
  ],
  [{ connections: 0 }, 'connections', /got 0; expected a whole number ≥ 1/],
  [
    { logger: { info() {} } },
    'logger',
    /expected an object with debug, info, warn and error methods .*\(it lacks debug, warn, error\)/,
  ],
  [
    { logArgumentOrder: 'sideways' },
    'logArgumentOrder',
    /got "sideways"; expected 'message-first' or 'fields-first'/,
  ],
  [{ logLevel: 'loud' }, 'logLevel', /got "loud"; expected 'debug', 'info', 'warn', 'error' or 'off'/],
  [
    { middleware: [() => undefined, 'log'] },
    'middleware.1',
    /got "log"; expected an array of middleware functions/,
  ],
  [
    { middleware: () => undefined },
    'middleware',
    /got a function \(middleware\); expected an array of middleware functions/,
  ],
  [{ telemetry: () => undefined }, 'telemetry', /expected a telemetry middleware .*\(it lacks startCall\)/],
  [{ provider: 'grpc' }, 'provider', /got "grpc"; expected 'openai', 'oip' or 'ollama'/],
  [{ baseURL: 8080 }, 'baseURL', /got 8080; expected an http or https URL/],
];

describe('client options are checked when the client is made', () => {
  it.each(refusals)('refuses %o, naming %s, what was given and what is allowed', (given, option, message) => {
    const error = refusalOf({ ...base, ...given });
    expect(error.option).toBe(option);
    expect(error.message).toMatch(
      new RegExp(`^Invalid client option \`${option.replace(/[.*]/g, '\\$&')}\`: `),
    );
    expect(error.message).toMatch(message);
    expect(error.allowed.length).toBeGreaterThan(0);
  });

  it('never echoes an API key or a header value it refuses', () => {
    const key = refusalOf({ baseURL: base.baseURL, apiKey: 123456789 });
    expect(key.message).toBe(
      'Invalid client option `apiKey`: got a number; expected a string, or null for a server that needs no key.',
    );
    const header = refusalOf({ ...base, defaultHeaders: { authorization: ['Bearer sk-secret'] } });
    expect(header.option).toBe('defaultHeaders');
    expect(header.message).not.toContain('sk-secret');
    expect(header.message).toMatch(/the value of "authorization" is not a string/);
  });

  it('refuses an unknown option, suggesting the one that was meant', () => {
    expect(refusalOf({ ...base, baseUrl: 'http://x' }).message).toBe(
      'Unknown client option `baseUrl`: did you mean `baseURL`?',
    );
    expect(refusalOf({ ...base, maxRetry: 3 }).message).toBe(
      'Unknown client option `maxRetry`: did you mean `maxRetries`?',
    );
    const far = refusalOf({ ...base, somethingElse: true });
    expect(far.option).toBe('somethingElse');
    expect(far.message).toMatch(
      /^Unknown client option `somethingElse`: the client options are apiKey, apiKeyId, baseURL, budget, .*, timeout, uncertainChargeWaitMs$/,
    );
  });

  it('refuses options that are not an object', () => {
    expect(refusalOf(null).message).toMatch(/^The client options must be an object, got null\./);
    expect(refusalOf('http://x').message).toMatch(
      /^The client options must be an object, got "http:\/\/x"\./,
    );
  });

  it('a budget needs pricing', () => {
    const budget = new Budget({ limits: [{ limit: Money.of('1', 'USD') }] });
    expect(refusalOf({ ...base, budget }).message).toMatch(/`budget`: a budget needs `pricing`/);
  });

  it('accepts every option at once, and the disabling values of the stream timeouts', async () => {
    const dispatcher = createAgent();
    const client = new AiaasClient({
      ...base,
      provider: 'openai',
      timeout: 0,
      deadline: Number.POSITIVE_INFINITY,
      maxRetries: 0,
      retryPolicy: defaultRetryPolicy(),
      onRetry: () => undefined,
      retryThrottle: {},
      idempotencyHeader: 'X-Idempotency-Key',
      firstTokenTimeout: 0,
      idleTimeout: Number.POSITIVE_INFINITY,
      maxResumes: 0,
      maxResponseBytes: 1,
      pricing,
      ledger: new Ledger(),
      budget: new Budget({ limits: [{ limit: Money.of('1', 'USD') }] }),
      costBounds: { 'ref-*': { maxOutputBytes: 0 } },
      tags: { team: 'search' },
      apiKeyId: 'key-1',
      defaultHeaders: { 'x-team': 'search' },
      dispatcher,
      connections: 1,
      logger: console,
      logArgumentOrder: 'message-first',
      logLevel: 'off',
      middleware: [(next) => next],
      telemetry: undefined,
    });
    expect(client.timeout).toBe(0);
    await client.close();
    await dispatcher.close();
  });
});
