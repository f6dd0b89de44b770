import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AbortError, StreamError } from '../../src/errors/index.js';
import { type ChatStreamOptions, createChatStream, StreamTimeoutError } from '../../src/streaming/index.js';
import { recordedChatEvents, sleep } from '../unit/streaming/stream-fixtures.js';

// Real sockets, real SSE over HTTP: a small server written here cuts, stalls, corrupts and
// resumes streams on demand, so the streaming layer is proven over the network.

const PIECES = ['Streams ', 'that ', 'survive ', 'the ', 'network, ', 'one ', 'event ', 'at ', 'a ', 'time.'];
const EVENTS = recordedChatEvents(PIECES);

interface Fault {
  mode: 'none' | 'cut' | 'stall' | 'malformed';
  after: number;
  delayMs: number;
}

let server: Server;
let baseURL: string;
const dispatcher = new Agent({ keepAliveTimeout: 10 });
/** Sockets the server saw closed while a stream was still open, by request id. */
const closedEarly = new Set<string>();
/** A socket close reaches the server a moment after the client acts. */
const closedEarlyAtServer = (testId: string) =>
  vi.waitFor(() => expect(closedEarly.has(testId)).toBe(true), { timeout: 5_000, interval: 5 });
/** Request ids whose stream has reached its stall: everything before it is written. */
const stalled = new Set<string>();
const resumeRequests: { requestId: string; lastEventId: string }[] = [];

function faultOf(request: IncomingMessage): Fault {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const mode = (url.searchParams.get('mode') ?? 'none') as Fault['mode'];
  return {
    mode,
    after: Number(url.searchParams.get('after') ?? 0),
    delayMs: Number(url.searchParams.get('delay_ms') ?? 0),
  };
}

async function serveStream(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
  const requestId = String(incoming.headers['x-test-id'] ?? 'unknown');
  const lastEventId = incoming.headers['last-event-id'];
  const resuming = typeof lastEventId === 'string';
  if (resuming) resumeRequests.push({ requestId, lastEventId });
  // A resumed request gets the events after `Last-Event-ID`, with no fault: the replay works.
  const fault: Fault = resuming
    ? { mode: 'none', after: 0, delayMs: faultOf(incoming).delayMs }
    : faultOf(incoming);
  const events = resuming ? EVENTS.slice(Number(lastEventId)) : EVENTS;
  let open = true;
  response.on('close', () => {
    if (!response.writableFinished) closedEarly.add(requestId);
    open = false;
  });
  response.writeHead(200, { 'content-type': 'text/event-stream', 'x-request-id': requestId });
  response.write(': connected\n\n');
  for (const [index, event] of events.entries()) {
    if (!open) return;
    if (fault.mode !== 'none' && index === fault.after) {
      if (fault.mode === 'cut') {
        // Half an event, then the socket dies: what a dropped connection looks like.
        response.write(event.slice(0, 15), () => response.socket?.destroy());
        return;
      }
      if (fault.mode === 'malformed') response.write('id: 99\ndata: {"choices": [tru\n\n');
      if (fault.mode === 'stall') {
        stalled.add(requestId);
        // A stalled server: keep-alive comments every 15 ms, no data, until the client leaves.
        while (open) {
          response.write(': keep-alive\n\n');
          await sleep(15);
        }
        return;
      }
    }
    response.write(event);
    if (fault.delayMs > 0) await sleep(fault.delayMs); // a slow server: a pause between chunks
  }
  response.end();
}

beforeAll(async () => {
  server = createServer((incoming, response) => {
    void serveStream(incoming, response);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await dispatcher.close();
});

let nextId = 0;

/** Opens a stream with undici, with a reconnect that resends the same call with `Last-Event-ID`. */
async function openStream(query: string, options: ChatStreamOptions & { resume?: boolean } = {}) {
  nextId += 1;
  const testId = `req_${nextId}`;
  const send = async (headers: Record<string, string>, signal?: AbortSignal) => {
    const response = await request(`${baseURL}/v1/chat/completions?${query}`, {
      dispatcher,
      headers: { 'x-test-id': testId, 'idempotency-key': `key_${testId}`, ...headers },
      ...(signal === undefined ? {} : { signal }),
    });
    return response;
  };
  const requestSentAt = performance.now();
  const first = await send({});
  const { resume, ...rest } = options;
  const reconnect = async (lastEventId: string, signal: AbortSignal) =>
    (await send({ 'last-event-id': lastEventId }, signal)).body;
  const stream = createChatStream(
    { body: first.body, format: 'sse', requestId: String(first.headers['x-request-id']) },
    { requestSentAt, ...(resume ? { reconnect } : {}), ...rest },
  );
  return { stream, testId };
}

describe('streaming over real HTTP', () => {
  it('reads a whole stream: text, finish reason, reported usage', async () => {
    const { stream, testId } = await openStream('mode=none');
    const final = await stream.final();
    expect(final.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: PIECES.join('') },
      finishReason: 'stop',
    });
    expect(final.usage.provenance).toBe('reported');
    expect(final.requestId).toBe(testId);
  });

  it('a socket cut mid-event is resumed with Last-Event-ID: identical text, each event once, usage present', async () => {
    const { stream: reference } = await openStream('mode=none');
    const referenceTypes: string[] = [];
    for await (const event of reference) referenceTypes.push(event.type);

    const { stream, testId } = await openStream('mode=cut&after=5', { resume: true });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'text-delta') text += event.text;
    }
    expect(text).toBe(PIECES.join(''));
    expect(types).toEqual(referenceTypes);
    expect(stream.resumed).toBe(1);
    expect(resumeRequests).toContainEqual({ requestId: testId, lastEventId: '5' });
    expect((await stream.final()).usage.provenance).toBe('reported');
  });

  it('a socket cut without resume support is a StreamError with the partial text and estimated usage', async () => {
    const { stream } = await openStream('mode=cut&after=4', { estimateTokens: () => 1, promptTokens: 3 });
    const error = (await stream.final().catch((reason: unknown) => reason)) as StreamError;
    expect(error).toBeInstanceOf(StreamError);
    expect(error.code).toBe('stream_broken');
    expect(error.partial).toEqual([PIECES.slice(0, 3).join('')]);
    expect(error.lastEventId).toBe('4');
    expect(error.usage).toEqual({
      tokens: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      provenance: 'estimated',
      raw: undefined,
    });
  });

  it('a stall is caught by the idle timeout despite keep-alives, with the partial text, and the socket is closed', async () => {
    const { stream, testId } = await openStream('mode=stall&after=3', {
      idleTimeout: 80,
      estimateTokens: () => 1,
    });
    const error = (await stream.final().catch((reason: unknown) => reason)) as StreamTimeoutError;
    expect(error).toBeInstanceOf(StreamTimeoutError);
    expect(error).toMatchObject({ timer: 'idle', phase: 'stream', retryable: true });
    expect(error.partial).toEqual([PIECES.slice(0, 2).join('')]);
    await closedEarlyAtServer(testId);
  });

  it('a server that never sends a first token trips the first-token timeout', async () => {
    const { stream } = await openStream('mode=stall&after=0', { firstTokenTimeout: 80 });
    await expect(stream.final()).rejects.toMatchObject({
      name: 'StreamTimeoutError',
      timer: 'first-token',
      partial: [],
    });
  });

  it('a malformed data line is a StreamError naming the event, with the text before it', async () => {
    const { stream } = await openStream('mode=malformed&after=3', { estimateTokens: () => 1 });
    const error = (await stream.final().catch((reason: unknown) => reason)) as StreamError;
    expect(error).toBeInstanceOf(StreamError);
    expect(error.message).toContain('(id 99) has data that is not valid JSON: {"choices": [tru');
    expect(error.partial).toEqual([PIECES.slice(0, 2).join('')]);
  });

  it('a slow server (delay between chunks) within the idle timeout streams to the end', async () => {
    const { stream } = await openStream('delay_ms=20', { idleTimeout: 200, firstTokenTimeout: 500 });
    expect((await stream.final()).choices[0]?.message.content).toBe(PIECES.join(''));
  });

  it('break out of for await closes the socket at once', async () => {
    const { stream, testId } = await openStream('mode=stall&after=4');
    for await (const event of stream) if (event.type === 'text-delta') break;
    await closedEarlyAtServer(testId);
    await expect(stream.final()).rejects.toBeInstanceOf(AbortError);
  });

  it("the caller's abort signal closes the socket while a read is pending", async () => {
    const controller = new AbortController();
    const { stream, testId } = await openStream('mode=stall&after=2', { signal: controller.signal });
    const pending = stream.final();
    // The server has sent all it will and stalls: the client's read now waits for more.
    await vi.waitFor(() => expect(stalled.has(testId)).toBe(true), { timeout: 5_000, interval: 5 });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    await closedEarlyAtServer(testId);
  });
});
