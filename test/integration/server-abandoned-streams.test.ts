import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { bearer, rawRequest } from './server-pipeline-helpers.js';

// Issue 14: past ten streaming calls with an Idempotency-Key whose clients left, Node warned
// `MaxListenersExceededWarning`: each abandoned stream's detached work put its own listener on
// the server-wide closing signal. They now share one, taken off when the last one ends.
const apiKey = 'sk-abandoned-streams';
const streams = 30;
let server: ReferenceServer;
beforeAll(async () => {
  // A short resume window: abandoned generations stop (and settle) soon after their client left.
  server = await startReferenceServer({
    port: 0,
    seed: 9,
    apiKeys: [apiKey],
    logger: silentServerLogger,
    resumeWindowMs: 200,
  });
});
afterAll(() => server.close());

const longChat = {
  model: 'ref-chat',
  messages: [{ role: 'user', content: 'Tell me about the union' }],
  max_tokens: 4000,
  stream: true,
};

/** Opens a keyed stream, waits for its first bytes, then cuts the socket as a crashed client would. */
function openAndAbandon(key: string): Promise<void> {
  const target = new URL(`${server.url}/v1/chat/completions`);
  const body = JSON.stringify(longChat);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        agent: false,
        headers: {
          ...bearer(apiKey),
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'idempotency-key': key,
        },
      },
      (response) => {
        if (response.statusCode !== 200) reject(new Error(`stream ${key} answered ${response.statusCode}`));
        response.once('data', () => {
          request.destroy();
          resolve();
        });
      },
    );
    request.on('error', () => {});
    request.end(body);
  });
}

/** Billing records are written once a request settled: its generation ended, however it ended. */
async function settledStreams(): Promise<number> {
  const answer = await rawRequest(`${server.url}/v1/usage`, { headers: bearer(apiKey) });
  return (JSON.parse(answer.text).data as unknown[]).length;
}

const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;

describe('many abandoned streams with Idempotency-Keys', () => {
  it(`emits no MaxListenersExceededWarning for ${streams} of them, and leaves no timer behind`, async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const baselineTimers = timers();
      await Promise.all(Array.from({ length: streams }, (_, index) => openAndAbandon(`abandoned-${index}`)));
      // Each generation runs on detached until it ends or the resume window stops it; then it is billed.
      await vi.waitFor(async () => expect(await settledStreams()).toBe(streams), {
        timeout: 20_000,
        interval: 100,
      });
      // A warning is emitted on the next tick after the listener that crosses the limit.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
      // The resume-window and detached-work timers of every stream are gone again.
      await vi.waitFor(() => expect(timers()).toBeLessThanOrEqual(baselineTimers), { timeout: 5_000 });
    } finally {
      process.off('warning', onWarning);
    }
  });
});
