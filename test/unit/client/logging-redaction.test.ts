import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiaasClient } from '../../../src/client/aiaas-client.js';
import { AuthenticationError } from '../../../src/errors/index.js';
import type { Logger } from '../../../src/transport/sdk-logger.js';
import {
  type DialectTestServer,
  sendJson,
  startDialectTestServer,
} from '../../support/dialect-test-server.js';

const apiKey = 'sk-live-0123456789abcdef';
const headerKey = 'azure-style-key-987654321';
let server: DialectTestServer;

function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const record =
    (level: string) =>
    (message: string, ...details: unknown[]) => {
      lines.push(`${level} ${message} ${details.map((detail) => JSON.stringify(detail)).join(' ')}`);
    };
  return {
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    lines,
  };
}

beforeAll(async () => {
  server = await startDialectTestServer();
  server.route('GET', '/v1/models', (request, response) =>
    sendJson(response, 200, { object: 'list', data: [], echoed: request.headers.authorization }),
  );
  server.route('POST', '/v1/chat/completions', (request, response) =>
    sendJson(response, 401, {
      error: {
        message: `Incorrect API key provided: ${apiKey}. Header was ${request.headers['x-api-key']}`,
        type: 'invalid_request_error',
        code: 'invalid_api_key',
      },
    }),
  );
});
afterAll(() => server.close());

describe('logging and redaction', () => {
  it('never lets the key or credential headers reach a log line or an error, even at debug level', async () => {
    const { logger, lines } = capturingLogger();
    const client = new AiaasClient({
      baseURL: server.url,
      apiKey,
      logger,
      logLevel: 'debug',
      maxRetries: 0,
      defaultHeaders: { 'x-api-key': headerKey },
    });
    await client.models.list();
    const error = await client.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: `my key is ${apiKey}` }] })
      .catch((caught: unknown) => caught);
    await client.close();

    expect(server.requests.at(-1)?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(lines.length).toBeGreaterThan(4);
    expect(lines.some((line) => line.includes('request POST') && line.includes('[redacted]'))).toBe(true);
    const everything = lines.join('\n');
    expect(everything).not.toContain(apiKey);
    expect(everything).not.toContain(headerKey);

    expect(error).toBeInstanceOf(AuthenticationError);
    const serialized = JSON.stringify({
      ...(error as AuthenticationError),
      message: (error as Error).message,
    });
    expect(serialized).toContain('invalid_api_key');
    expect(serialized).not.toContain(apiKey);
    expect(serialized).not.toContain(headerKey);
  });

  it('logs nothing at level off, and only summaries at info', async () => {
    const off = capturingLogger();
    const quiet = new AiaasClient({ baseURL: server.url, apiKey, logger: off.logger, logLevel: 'off' });
    await quiet.models.list();
    await quiet.close();
    expect(off.lines).toEqual([]);

    const info = capturingLogger();
    const summaries = new AiaasClient({ baseURL: server.url, apiKey, logger: info.logger, logLevel: 'info' });
    await summaries.models.list();
    await summaries.close();
    expect(info.lines).toHaveLength(1);
    expect(info.lines[0]).toMatch(
      /^info \[aiaas\] GET http:\/\/127\.0\.0\.1:\d+\/v1\/models -> 200 in \d+ ms \(request id req-dialect\)/,
    );
  });

  it('reads the level from AIAAS_LOG and warns about an unknown one', async () => {
    const previous = process.env.AIAAS_LOG;
    try {
      process.env.AIAAS_LOG = 'debug';
      const debug = capturingLogger();
      const verbose = new AiaasClient({ baseURL: server.url, apiKey, logger: debug.logger });
      await verbose.models.list();
      await verbose.close();
      expect(debug.lines.some((line) => line.startsWith('debug'))).toBe(true);

      process.env.AIAAS_LOG = 'loud';
      const unknown = capturingLogger();
      const fallback = new AiaasClient({ baseURL: server.url, apiKey, logger: unknown.logger });
      await fallback.models.list();
      await fallback.close();
      expect(unknown.lines).toEqual([
        expect.stringMatching(/^warn \[aiaas\] AIAAS_LOG="loud" is not a level .* using warn/),
      ]);
    } finally {
      if (previous === undefined) delete process.env.AIAAS_LOG;
      else process.env.AIAAS_LOG = previous;
    }
  });
});
