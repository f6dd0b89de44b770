import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { rawRequest } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';

const servers: ReferenceServer[] = [];
const start = async (seed: number, rate = 0.5) => {
  // JSON answers only: stream faults (drop, stall...) leave them alone, so every call ends.
  const server = await startReferenceServer({ port: 0, chaos: { rate, seed }, logger: silentServerLogger });
  servers.push(server);
  return server;
};
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

const keys = Array.from({ length: 24 }, (_, index) => `chaos-call-${index}`);

/** What a client saw: a reset, or the status and the injected fault's description. */
async function outcome(server: ReferenceServer, key: string): Promise<string> {
  const answer = await rawRequest(`${server.url}/tokenize`, {
    body: { model: 'ref-chat', prompt: 'chaos' },
    headers: { 'idempotency-key': key },
  });
  if (answer.status === undefined) return `reset (${answer.errorCode})`;
  return `${answer.status} ${answer.headers['x-aiaas-fault-injected'] ?? 'clean'}`;
}

describe('chaos', () => {
  let first: ReferenceServer;
  let second: ReferenceServer;
  beforeAll(async () => {
    [first, second] = await Promise.all([start(7), start(7)]);
  });

  it('makes the same decisions for the same seed, whatever the order and concurrency of calls', async () => {
    const sequential: Record<string, string> = {};
    for (const key of keys) sequential[key] = await outcome(first, key);
    const concurrent: Record<string, string> = {};
    await Promise.all(
      [...keys].reverse().map(async (key) => {
        concurrent[key] = await outcome(second, key);
      }),
    );
    expect(concurrent).toEqual(sequential);
    const kinds = new Set(Object.values(sequential).map((text) => text.split(' ')[0]));
    // Both faulted and clean calls, and more than one kind of fault: the comparison means something.
    expect(kinds.has('200')).toBe(true);
    expect(kinds.size).toBeGreaterThanOrEqual(3);
    const faulted = Object.values(sequential).filter((text) => !text.endsWith('clean')).length;
    expect(faulted).toBeGreaterThan(keys.length / 4);
    expect(faulted).toBeLessThan((keys.length * 3) / 4);
  });

  it('decides each attempt of a call afresh, identically on both servers', async () => {
    const attempts = async (server: ReferenceServer) => {
      const seen: string[] = [];
      for (let attempt = 0; attempt < 6; attempt++) seen.push(await outcome(server, 'retried-call'));
      return seen;
    };
    const [onFirst, onSecond] = await Promise.all([attempts(first), attempts(second)]);
    expect(onSecond).toEqual(onFirst);
    expect(new Set(onFirst).size).toBeGreaterThan(1);
  });

  it('decides differently under another seed', async () => {
    const other = await start(8);
    const underSeven = await Promise.all(keys.map((key) => outcome(first, `other-${key}`)));
    const underEight = await Promise.all(keys.map((key) => outcome(other, `other-${key}`)));
    expect(underEight).not.toEqual(underSeven);
  });

  it('spares reads and health checks, even at rate 1', async () => {
    const always = await start(1, 1);
    for (const path of ['/health', '/v1/models', '/v1/pricing', '/v1/usage']) {
      expect((await requestJson(`${always.url}${path}`)).status).toBe(200);
    }
    const call = await outcome(always, 'any');
    expect(call).not.toMatch(/clean$/);
  });
});
