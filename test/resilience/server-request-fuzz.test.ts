import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, type ServerLogger, startReferenceServer } from '../../src/server/index.js';
import { errorDialectProblem } from './support/error-dialect.js';
import { type RawHttpAnswer, sendRaw } from './support/raw-http.js';
import { bodyFor, getPaths, headersFor, postPaths, validBodies } from './support/request-arbitraries.js';

// Extends test/integration/server-errors.test.ts (random JSON to each route, < 500): here with
// headers, raw bytes, nesting, sizes and every pipeline feature on, and the dialect checked.
const apiKey = 'sk-fuzz-tenant-0123456789abcdef';
const bodyLimitBytes = 128 * 1024;
const errorLines: string[] = [];
const logger: ServerLogger = {
  info() {},
  warn() {},
  error: (message, fields) => errorLines.push(`${message} ${JSON.stringify(fields ?? {})}`),
};

let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({
    port: 0,
    apiKeys: [apiKey],
    logger,
    bodyLimitBytes,
    // Limits high enough never to refuse, so the limiter's body estimate runs on every fuzzed body.
    rateLimits: { requestsPerMinute: 1_000_000, tokensPerMinute: 1_000_000_000 },
  });
});
afterAll(() => server.close());

/** Why an answer breaks the contract (any 5xx, no answer, no request id, wrong dialect), or undefined. */
function contractProblem(path: string, answer: RawHttpAnswer): string | undefined {
  if (answer.status === undefined) return `no answer (${answer.errorCode})`;
  if (answer.status >= 500) return `status ${answer.status}: ${answer.text.slice(0, 200)}`;
  if (answer.headers['x-request-id'] === undefined) return `status ${answer.status} without x-request-id`;
  if (answer.status >= 400) {
    const problem = errorDialectProblem(path, answer);
    if (problem !== undefined) return `status ${answer.status} in the wrong dialect: ${problem}`;
  }
  return undefined;
}

async function expectServerStillServes(): Promise<void> {
  const health = await sendRaw(server.url, { method: 'GET', path: '/health' });
  expect(health.status).toBe(200);
  const chat = await sendRaw(server.url, {
    method: 'POST',
    path: '/v1/chat/completions',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: Buffer.from(JSON.stringify(validBodies['/v1/chat/completions'])),
  });
  expect(chat.status).toBe(200);
}

describe('fuzzing every endpoint', () => {
  it('answers any POST body and headers with success or a 4xx in the route dialect, never a 5xx (property)', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...postPaths).chain((path) =>
          fc.record({
            path: fc.constant(path),
            body: bodyFor(path, bodyLimitBytes),
            headers: headersFor(apiKey),
          }),
        ),
        async ({ path, body, headers }) => {
          const answer = await sendRaw(server.url, { method: 'POST', path, headers, body });
          if (answer.status !== undefined)
            statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          const problem = contractProblem(path, answer);
          if (problem !== undefined) throw new Error(`POST ${path}: ${problem}`);
        },
      ),
      { numRuns: 400, seed: 8_2026 },
    );
    // The generators reach success, auth failures, bad requests and the body limit alike.
    expect(statuses.get(200)).toBeGreaterThan(0);
    for (const status of [400, 401, 413]) expect(statuses.get(status), `status ${status}`).toBeGreaterThan(0);
    await expectServerStillServes();
  });

  it('answers any method, path suffix and headers on every route without a 5xx (property)', async () => {
    const paths = [...getPaths, ...postPaths];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
        fc.constantFrom(...paths),
        fc.constantFrom('', '/', '?x=1', '/extra', '%00', '/..', '?model=%ff'),
        headersFor(apiKey),
        fc.uint8Array({ maxLength: 256 }),
        async (method, path, suffix, headers, bytes) => {
          const target = `${path}${suffix}`;
          const body = method === 'GET' || method === 'OPTIONS' ? undefined : Buffer.from(bytes);
          const answer = await sendRaw(server.url, {
            method,
            path: target,
            headers,
            ...(body ? { body } : {}),
          });
          const problem = contractProblem(target, answer);
          if (problem !== undefined) throw new Error(`${method} ${target}: ${problem}`);
        },
      ),
      { numRuns: 300, seed: 31 },
    );
    await expectServerStillServes();
  });

  it('logged no error while being fuzzed: every bad request was handled, none escaped to the listener', () => {
    expect(errorLines).toEqual([]);
  });
});
