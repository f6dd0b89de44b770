import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import winston from 'winston';
import { AiaasError } from '../../src/errors/index.js';
import { fault, faultHeaders } from '../../src/testing/fault-header-builder.js';
import { useReferenceServer } from '../../src/testing/use-reference-server.js';
import type { Logger } from '../../src/transport/sdk-logger.js';

// Long enough for the redactor, and distinctive enough to search every line for.
const apiKey = 'sk-logging-0123456789abcdef';
const reference = useReferenceServer({ seed: 42, apiKey });
const params = {
  model: 'ref-chat',
  messages: [{ role: 'user' as const, content: 'How is the union?' }],
  max_tokens: 6,
  seed: 3,
};
// One 503 for the first attempt of the call, then the real answer: attempts 1 and 2.
const failOnce = faultHeaders(fault.status(503, { times: 1, retryAfterMs: 5 }));

type Line = Record<string, unknown>;

/** A real pino logger writing JSON lines into memory (pino's `pino(options, destination)`). */
function pinoLogger(): { logger: pino.Logger; lines: () => Line[]; text: () => string } {
  const raw: string[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(chunk: string) {
        raw.push(chunk);
      },
    },
  );
  return {
    logger,
    lines: () => raw.map((line) => JSON.parse(line) as Line),
    text: () => raw.join(''),
  };
}

/** A real winston logger with a stream transport and its JSON format, writing into memory. */
function winstonLogger(): { logger: winston.Logger; lines: Line[] } {
  const lines: Line[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line));
      callback();
    },
  });
  const logger = winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [new winston.transports.Stream({ stream: destination })],
  });
  return { logger, lines };
}

const isChatSummary = (line: Line) =>
  typeof line.status === 'number' && String(line.url).endsWith('/v1/chat/completions');

describe('logging through pino', () => {
  it('hands pino the fields first, so every summary line carries status, request id, attempt, method, url and duration', async () => {
    const { logger, lines } = pinoLogger();
    const client = reference.client({ logger, logLevel: 'info' });
    const { response, attempts } = await client.chat.completions
      .create(params, { idempotencyKey: 'logging-pino-retry', headers: failOnce })
      .withResponse();
    expect(attempts).toBe(2);

    const all = lines();
    const summaries = all.filter(isChatSummary);
    expect(summaries).toEqual([
      expect.objectContaining({
        level: 30,
        msg: expect.stringMatching(
          /^\[aiaas\] POST http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions -> 503 in \d+ ms/,
        ),
        method: 'POST',
        status: 503,
        attempt: 1,
        operation: 'chat.completions.create',
        idempotencyKey: 'logging-pino-retry',
        requestId: expect.stringMatching(/\S/),
        durationMs: expect.any(Number),
        retryable: true,
        code: expect.any(String),
        error: expect.any(String),
      }),
      expect.objectContaining({
        level: 30,
        msg: expect.stringContaining('-> 200 in'),
        method: 'POST',
        status: 200,
        attempt: 2,
        operation: 'chat.completions.create',
        idempotencyKey: 'logging-pino-retry',
        requestId: response.requestId,
        durationMs: expect.any(Number),
      }),
    ]);
    expect(summaries[0]?.requestId).not.toBe(response.requestId);

    const retries = all.filter((line) => 'delayMs' in line);
    expect(retries).toEqual([
      expect.objectContaining({
        level: 30,
        msg: '[aiaas] chat.completions.create attempt 1 failed; retrying in 5 ms',
        operation: 'chat.completions.create',
        attempt: 1,
        delayMs: 5,
        status: 503,
        requestId: summaries[0]?.requestId,
        code: summaries[0]?.code,
        idempotencyKey: 'logging-pino-retry',
      }),
    ]);
  });

  it('logs a stream and its resume at debug, naming the call on every line, with the credentials redacted', async () => {
    const { logger, lines: read, text } = pinoLogger();
    const client = reference.client({ logger, logLevel: 'debug' });
    const stream = await client.chat.completions.stream(params, {
      idempotencyKey: 'logging-pino-stream',
      headers: faultHeaders(fault.dropAfter(2, { times: 1 })),
    });
    const final = await stream.final();
    expect(stream.resumed).toBe(1);
    expect(final.choices[0]?.message.content).not.toBe('');
    const lines = read();

    const call = { operation: 'chat.completions.stream', attempt: 1, idempotencyKey: 'logging-pino-stream' };
    const requests = lines.filter((line) => String(line.msg).startsWith('[aiaas] request POST'));
    expect(requests).toEqual([
      expect.objectContaining({ level: 20, method: 'POST', ...call, headers: expect.any(Object) }),
      expect.objectContaining({ level: 20, method: 'POST', ...call, lastEventId: expect.any(String) }),
    ]);
    for (const request of requests) {
      expect(request.headers).toMatchObject({ authorization: '[redacted]' });
    }
    expect(lines.filter((line) => line.level === 30 && isChatSummary(line))).toEqual([
      expect.objectContaining({ level: 30, status: 200, ...call, requestId: stream.requestId }),
      expect.objectContaining({ level: 30, status: 200, ...call, lastEventId: requests[1]?.lastEventId }),
    ]);
    expect(text()).not.toContain(apiKey);
  });

  it('says which attempt failed to connect, with the error code and phase', async () => {
    const { logger, lines: read } = pinoLogger();
    // Port 9 (discard) has no listener here: every attempt is refused.
    const client = reference.client({
      logger,
      logLevel: 'info',
      baseURL: 'http://127.0.0.1:9/v1',
      maxRetries: 1,
    });
    await expect(client.models.list()).rejects.toThrow(AiaasError);
    const lines = read();
    const failures = lines.filter((line) => String(line.msg).includes('failed after'));
    expect(failures).toEqual([
      expect.objectContaining({
        attempt: 1,
        operation: 'models.list',
        method: 'GET',
        code: expect.any(String),
      }),
      expect.objectContaining({
        attempt: 2,
        operation: 'models.list',
        method: 'GET',
        code: expect.any(String),
      }),
    ]);
    expect(failures[0]?.phase).toBe('connect');
    expect(lines.filter((line) => 'delayMs' in line)).toEqual([expect.objectContaining({ attempt: 1 })]);
  });
});

describe('logging through winston', () => {
  it('hands winston the message first and the fields as its meta, attempt numbers included', async () => {
    const { logger, lines } = winstonLogger();
    const client = reference.client({ logger, logLevel: 'info' });
    const { response } = await client.chat.completions
      .create(params, { idempotencyKey: 'logging-winston-retry', headers: failOnce })
      .withResponse();
    // winston's transports write on a later tick.
    await vi.waitFor(() => expect(lines.filter(isChatSummary)).toHaveLength(2), { timeout: 5_000 });

    expect(lines.filter((line) => 'delayMs' in line)).toEqual([
      expect.objectContaining({ level: 'info', status: 503, attempt: 1, delayMs: 5 }),
    ]);
    expect(lines.filter(isChatSummary)).toEqual([
      expect.objectContaining({
        level: 'info',
        message: expect.stringMatching(/^\[aiaas\] POST .* -> 503 in \d+ ms/),
        status: 503,
        attempt: 1,
        method: 'POST',
        durationMs: expect.any(Number),
      }),
      expect.objectContaining({
        level: 'info',
        message: expect.stringContaining('-> 200 in'),
        status: 200,
        attempt: 2,
        requestId: response.requestId,
        idempotencyKey: 'logging-winston-retry',
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(apiKey);
  });
});

describe('the logger options', () => {
  function recordingLogger(): { logger: Logger; calls: unknown[][] } {
    const calls: unknown[][] = [];
    const record = (...args: unknown[]) => {
      calls.push(args);
    };
    return { logger: { debug: record, info: record, warn: record, error: record }, calls };
  }

  it('passes the fields first to any logger when told to (bunyan takes them that way)', async () => {
    const { logger, calls } = recordingLogger();
    const client = reference.client({ logger, logLevel: 'info', logArgumentOrder: 'fields-first' });
    const { response } = await client.models.list().withResponse();
    expect(calls).toEqual([
      [
        expect.objectContaining({
          status: 200,
          attempt: 1,
          operation: 'models.list',
          requestId: response.requestId,
        }),
        expect.stringMatching(/^\[aiaas\] GET .*\/v1\/models -> 200 in \d+ ms/),
      ],
    ]);
  });

  it('passes the message first to a logger that is not pino', async () => {
    const { logger, calls } = recordingLogger();
    const client = reference.client({ logger, logLevel: 'info' });
    await client.models.list();
    expect(calls).toEqual([
      [expect.stringMatching(/^\[aiaas\] GET /), expect.objectContaining({ status: 200, attempt: 1 })],
    ]);
  });

  it('refuses an unknown argument order, level, or a logger without the four methods', () => {
    const invalid = (make: () => unknown) => {
      try {
        make();
      } catch (error) {
        return error;
      }
      throw new Error('expected the options to be refused');
    };
    const order = invalid(() =>
      reference.client({ logArgumentOrder: 'sideways' as unknown as 'fields-first', logLevel: 'info' }),
    );
    expect(order).toBeInstanceOf(AiaasError);
    expect(order).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('sideways') });
    const level = invalid(() => reference.client({ logLevel: 'loud' as unknown as 'info' }));
    expect(level).toMatchObject({ code: 'invalid_option', message: expect.stringContaining('loud') });
    const partial = invalid(() => reference.client({ logger: { info() {} } as unknown as Logger }));
    expect(partial).toMatchObject({
      code: 'invalid_option',
      message: expect.stringContaining('lacks debug, warn, error'),
    });
  });
});
