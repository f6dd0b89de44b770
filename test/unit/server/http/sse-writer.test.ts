import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type EventStreamOutcome, writeEventStream } from '../../../../src/server/http/sse-writer.js';
import { UsageMeter } from '../../../../src/server/http/usage-meter.js';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

/** Serves `events` through the SSE writer; reports the writer's outcome and the server's side of the response. */
async function serve(events: () => AsyncIterable<string>): Promise<{
  url: string;
  outcome: Promise<EventStreamOutcome>;
  responses: ServerResponse[];
}> {
  let report!: (outcome: EventStreamOutcome) => void;
  const outcome = new Promise<EventStreamOutcome>((resolve) => {
    report = resolve;
  });
  const responses: ServerResponse[] = [];
  server = createServer((_request, response: ServerResponse) => {
    responses.push(response);
    const disconnect = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) disconnect.abort();
    });
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    void writeEventStream(response, events(), {
      signal: disconnect.signal,
      meter: new UsageMeter(),
      errorEvent: (error) => JSON.stringify({ error: String((error as Error).message) }),
    }).then(report);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, outcome, responses };
}

async function open(url: string): Promise<IncomingMessage> {
  const request = get(url);
  const [response] = (await once(request, 'response')) as [IncomingMessage];
  return response;
}

async function readAll(response: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of response) text += chunk;
  return text;
}

describe('writeEventStream', () => {
  it('numbers events upward and turns a producer failure into a final error event', async () => {
    const { url, outcome } = await serve(async function* () {
      yield '{"a":1}';
      yield '[DONE]';
      throw new Error('model exploded');
    });
    const text = await readAll(await open(url));
    expect(text).toBe(
      'id: 1\ndata: {"a":1}\n\nid: 2\ndata: [DONE]\n\nid: 3\ndata: {"error":"model exploded"}\n\n',
    );
    expect((await outcome).completed).toBe(false);
  });

  it('stops producing while the client does not read (backpressure)', async () => {
    let produced = 0;
    const payload = 'x'.repeat(64 * 1024);
    const { url, outcome, responses } = await serve(async function* () {
      for (let index = 0; index < 200; index++) {
        produced++;
        yield payload;
      }
    });
    const response = await open(url);
    response.pause();
    // Until the socket is full and the writer waits for 'drain' (or, without backpressure, has
    // produced all 200 events, 12.8 MB, at once). Socket buffers hold a few MB at most.
    await vi.waitFor(() => expect(responses[0]?.writableNeedDrain || produced === 200).toBe(true), {
      timeout: 5_000,
      interval: 5,
    });
    expect(produced).toBeLessThan(100);
    const text = await readAll(response);
    expect(text.split('\n\n').filter((frame) => frame !== '')).toHaveLength(200);
    expect(await outcome).toEqual({ eventsSent: 200, completed: true, failed: false, disconnected: false });
  });

  it('ends the producer when the client disconnects', async () => {
    let finalized = false;
    const { url, outcome } = await serve(async function* () {
      try {
        for (let index = 0; ; index++) {
          yield String(index);
          // A model producing an event every few milliseconds, until the client leaves.
          await sleep(5);
        }
      } finally {
        finalized = true;
      }
    });
    const response = await open(url);
    await once(response, 'data');
    response.destroy();
    const result = await outcome;
    expect(result.disconnected).toBe(true);
    expect(result.completed).toBe(false);
    expect(finalized).toBe(true);
  });
});
