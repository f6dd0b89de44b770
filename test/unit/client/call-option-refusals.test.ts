import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiaasClient } from '../../../src/client/aiaas-client.js';
import type { StreamRequestOptions } from '../../../src/client/request-options.js';
import { InvalidOptionError } from '../../../src/errors/index.js';
import {
  type DialectTestServer,
  sendJson,
  startDialectTestServer,
} from '../../support/dialect-test-server.js';

let server: DialectTestServer;
let client: AiaasClient;
const params = { model: 'ref-chat', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 4 };

beforeAll(async () => {
  server = await startDialectTestServer();
  server.route('GET', '/v1/models', (_request, response) =>
    sendJson(response, 200, { object: 'list', data: [] }),
  );
  client = new AiaasClient({ baseURL: `${server.url}/v1`, apiKey: 'sk-test', logLevel: 'off' });
});
afterAll(async () => {
  await client.close();
  await server.close();
});

async function refusalOf(call: () => Promise<unknown>): Promise<InvalidOptionError> {
  let pending: Promise<unknown> = Promise.resolve();
  // A call's options are refused as its rejection, never as a throw from the method itself.
  expect(() => {
    pending = call();
  }).not.toThrow();
  const error = await pending.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(InvalidOptionError);
  expect(error).toMatchObject({ code: 'invalid_option', retryable: false });
  return error as InvalidOptionError;
}

const refusals: [Record<string, unknown>, string, RegExp][] = [
  [{ timeout: -1 }, 'timeout', /got -1; expected a number of milliseconds ≥ 0 per attempt/],
  [{ deadline: -5 }, 'deadline', /got -5; expected a number of milliseconds > 0/],
  [{ signal: 'stop' }, 'signal', /got "stop"; expected an AbortSignal \(it is not an AbortSignal\)/],
  [
    { signal: new AbortController() },
    'signal',
    /got an instance of AbortController; expected an AbortSignal/,
  ],
  [
    { headers: { 'x-team': 5 } },
    'headers',
    /expected an object of header names and string values \(the value of "x-team" is not a string\)/,
  ],
  [{ headers: { 'bad header': 'x' } }, 'headers', /\("bad header" is not a valid header name\)/],
  [{ maxRetries: 'two' }, 'maxRetries', /got "two"; expected a whole number ≥ 0/],
  [
    { retryPolicy: {} },
    'retryPolicy',
    /got an empty object; expected a retry policy.*\(it lacks shouldRetry, delay\)/,
  ],
  [{ onRetry: {} }, 'onRetry', /got an empty object; expected a function/],
  [{ idempotencyKey: '  ' }, 'idempotencyKey', /got " {2}"; expected a non-empty string/],
  [{ idempotencyKey: 42 }, 'idempotencyKey', /got 42; expected a non-empty string/],
  [{ tags: { team: null } }, 'tags.team', /got null; expected an object of string values/],
  [
    { firstTokenTimeout: -1 },
    'firstTokenTimeout',
    /got -1; expected a number of milliseconds ≥ 0 \(default 60000/,
  ],
  [
    { idleTimeout: Number.NaN },
    'idleTimeout',
    /got NaN; expected a number of milliseconds ≥ 0 \(default 300000/,
  ],
  [{ maxResumes: -1 }, 'maxResumes', /got -1; expected a whole number ≥ 0/],
  [{ maxResponseBytes: 1.5 }, 'maxResponseBytes', /got 1.5; expected a whole number of bytes from 1 to/],
];

describe("a call's own options are checked when the call is made", () => {
  it.each(refusals)('create() and stream() refuse %o, naming %s', async (given, option, message) => {
    const before = server.connections;
    for (const call of [
      () => client.chat.completions.create(params, given as StreamRequestOptions),
      () => client.chat.completions.stream(params, given as StreamRequestOptions),
    ]) {
      const error = await refusalOf(call);
      expect(error.option).toBe(option);
      expect(error.message).toMatch(new RegExp(`^Invalid call option \`${option.replace('.', '\\.')}\`: `));
      expect(error.message).toMatch(message);
    }
    // Refused before any socket was opened.
    expect(server.connections).toBe(before);
    expect(server.requests).toHaveLength(0);
  });

  it('refuses options that are not an object, and never echoes a header value', async () => {
    expect((await refusalOf(() => client.models.list(null as never))).message).toMatch(
      /^The call options must be an object, got null\./,
    );
    const secret = await refusalOf(() =>
      client.models.list({ headers: { authorization: ['Bearer sk-leak'] } } as never),
    );
    expect(secret.message).not.toContain('sk-leak');
  });

  it("passes keys a resource adds, and a call's valid options", async () => {
    const signal = new AbortController().signal;
    const listed = await client.models.list({
      signal,
      timeout: 5_000,
      headers: { 'x-team': 'search' },
      idempotencyKey: 'key-1',
      maxResponseBytes: 4_096,
      version: '1',
    } as never);
    expect(listed.data).toEqual([]);
    expect(server.requests.at(-1)?.headers['x-team']).toBe('search');
  });
});
