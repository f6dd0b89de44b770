import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import { PriceCatalog } from '../../src/cost/price-catalog.js';
import { ResponseTooLargeError } from '../../src/errors/index.js';
import { failureOf } from '../support/failure-of.js';
import {
  type SocketWatchingServer,
  startSocketWatchingServer,
  writeUntilClosed,
} from '../support/socket-watching-server.js';

const mebibyte = 1024 * 1024;
// A client that never stopped reading would get this much before the server gives up.
const safetyBytes = 128 * mebibyte;
// Kernel buffers on both ends and the client's read-ahead: what the server may have handed its
// socket beyond what the client read. Far below the safety stop.
const slackBytes = 32 * mebibyte;
const params = { model: 'ref-chat', messages: [{ role: 'user' as const, content: 'hi' }], max_tokens: 16 };
const pricing = PriceCatalog.fromObject({
  currency: 'USD',
  cards: [
    {
      id: 'ref-chat',
      prices: [{ effectiveFrom: '2024-01-01', inputPerMillionTokens: '1', outputPerMillionTokens: '2' }],
    },
  ],
});

let server: SocketWatchingServer;
const clients: AiaasClient[] = [];
let written: Promise<{ bytesWritten: number; closedByPeer: boolean }>[] = [];
/** The highest heap-plus-buffers use seen while the server wrote, sampled every 64 KiB. */
let peakMemory = 0;

function memoryInUse(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

function sampled(next: () => string): () => string {
  let sinceSample = 0;
  return () => {
    const chunk = next();
    sinceSample += chunk.length;
    if (sinceSample >= 64 * 1024) {
      sinceSample = 0;
      peakMemory = Math.max(peakMemory, memoryInUse());
    }
    return chunk;
  };
}

/** Valid chat chunks with ids, forever: a model that never stops talking. */
function endlessStream(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': 'req-endless-stream' });
  let id = 0;
  const next = () => {
    id += 1;
    const data = {
      id: 'chatcmpl-endless',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'ref-chat',
      choices: [{ index: 0, delta: { content: 'lorem ipsum dolor sit amet ' }, finish_reason: null }],
    };
    return `id: ${id}\ndata: ${JSON.stringify(data)}\n\n`;
  };
  written.push(writeUntilClosed(response, sampled(next), safetyBytes).done);
}

/** A chat completion whose content never ends (chunked, no content-length). */
function endlessJson(response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-endless-json' });
  let started = false;
  const next = () => {
    if (started) return 'lorem ipsum dolor sit amet '.repeat(40);
    started = true;
    return '{"id":"chatcmpl-endless","object":"chat.completion","created":1,"model":"ref-chat","choices":[{"index":0,"message":{"role":"assistant","content":"';
  };
  written.push(writeUntilClosed(response, sampled(next), safetyBytes).done);
}

function newClient(maxResponseBytes?: number): AiaasClient {
  const client = new AiaasClient({
    baseURL: `${server.url}/v1`,
    apiKey: 'sk-test',
    logLevel: 'off',
    pricing,
    ...(maxResponseBytes === undefined ? {} : { maxResponseBytes }),
  });
  clients.push(client);
  return client;
}

/** Reads a stream to its end or failure; the failure and how much text arrived before it. */
async function readStream(client: AiaasClient, options = {}) {
  const stream = await client.chat.completions.stream(params, options);
  let text = 0;
  const error = await failureOf(
    (async () => {
      for await (const piece of stream.text()) text += piece.length;
    })(),
  );
  return { stream, text, error };
}

beforeAll(async () => {
  server = await startSocketWatchingServer();
  server.handle((request, response) =>
    (JSON.parse(request.body) as { stream?: boolean }).stream === true
      ? endlessStream(response)
      : endlessJson(response),
  );
  // Warm up what the first failure loads (the tokenizer that estimates usage, the price tables),
  // so that the measured runs below see only the memory of the response itself.
  await readStream(newClient(64 * 1024));
  await failureOf(newClient(64 * 1024).chat.completions.create(params));
  await Promise.all(written);
});
afterEach(async () => {
  written = [];
  await Promise.all(clients.splice(0).map((client) => client.close()));
});
afterAll(() => server.close());

/** The server saw the connection close long before its safety stop, and memory stayed bounded. */
async function expectClosedInBoundedMemory(label: string, memoryBefore: number): Promise<void> {
  const [sent] = await Promise.all(written);
  expect(sent?.closedByPeer).toBe(true);
  expect(sent?.bytesWritten).toBeLessThan(mebibyte + slackBytes);
  expect(peakMemory - memoryBefore).toBeLessThan(safetyBytes / 2);
  console.info(
    `${label}: the server wrote ${sent?.bytesWritten} bytes; peak memory growth ${peakMemory - memoryBefore} bytes`,
  );
}

describe('maxResponseBytes through the client', () => {
  it('an endless stream fails with ResponseTooLargeError in bounded memory, its socket closed and its ledger entry written', async () => {
    const client = newClient(mebibyte);
    const before = memoryInUse();
    peakMemory = before;
    const { stream, text, error } = await readStream(client);
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({
      code: 'response_too_large',
      phase: 'stream',
      limitBytes: mebibyte,
      retryable: false,
      requestId: 'req-endless-stream',
    });
    const tooLarge = error as ResponseTooLargeError;
    // Everything received before the limit is kept: the partial text, the position, the usage so far.
    expect(text).toBeGreaterThan(100_000);
    expect(tooLarge.partial[0]).toHaveLength(text);
    expect(Number(tooLarge.lastEventId)).toBeGreaterThan(1_000);
    expect(tooLarge.usage).toMatchObject({ provenance: 'estimated' });
    await expect(stream.final()).rejects.toBe(error);
    await expectClosedInBoundedMemory('stream', before);
    // One ledger entry for the stream: an error, priced, with the usage of what was received.
    const entries = await client.ledger.entries();
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry).toMatchObject({ status: 'error', requestId: 'req-endless-stream', attempt: 1 });
    expect(entry?.usage.outputTokens).toMatchObject({ provenance: 'estimated' });
    expect(entry?.usage.outputTokens.value).toBeGreaterThan(text / 10);
    expect(entry?.usage.bytesOut.value).toBeGreaterThanOrEqual(mebibyte);
    expect(entry?.cost?.isZero()).toBe(false);
  });

  it('an endless JSON answer fails with ResponseTooLargeError, its socket closed and an estimated ledger entry written', async () => {
    const client = newClient(mebibyte);
    const before = memoryInUse();
    peakMemory = before;
    const error = await failureOf(client.chat.completions.create(params));
    expect(error).toBeInstanceOf(ResponseTooLargeError);
    expect(error).toMatchObject({
      phase: 'body',
      limitBytes: mebibyte,
      requestId: 'req-endless-json',
      attempts: 1,
    });
    const tooLarge = error as ResponseTooLargeError;
    await expectClosedInBoundedMemory('JSON', before);
    const [entry, ...others] = await client.ledger.entries();
    expect(others).toHaveLength(0);
    expect(entry).toMatchObject({ status: 'error', requestId: 'req-endless-json', attempt: 1 });
    // What was exchanged, estimated: the prompt, output up to max_tokens, the bytes that arrived.
    expect(entry?.usage.inputTokens.value).toBeGreaterThan(0);
    expect(entry?.usage.outputTokens).toEqual({ value: params.max_tokens, provenance: 'estimated' });
    expect(entry?.usage.bytesOut).toEqual({ value: tooLarge.receivedBytes, provenance: 'estimated' });
    expect(entry?.usage.requests.value).toBe(1);
    expect(entry?.cost?.isZero()).toBe(false);
  });

  it("a call's own maxResponseBytes overrides the client's", async () => {
    const client = newClient();
    const streamed = await readStream(client, { maxResponseBytes: 64 * 1024 });
    expect(streamed.error).toMatchObject({ phase: 'stream', limitBytes: 64 * 1024 });
    const created = await failureOf(client.chat.completions.create(params, { maxResponseBytes: 32 * 1024 }));
    expect(created).toMatchObject({ phase: 'body', limitBytes: 32 * 1024 });
    for (const sent of await Promise.all(written)) expect(sent.closedByPeer).toBe(true);
    expect(await client.ledger.entries()).toHaveLength(2);
  });
});
