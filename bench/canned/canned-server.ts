import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCompletionBody, chatStreamBody, firstStreamEvent } from './canned-responses.js';

/**
 * What the canned server answers, chosen by the first path segment, so each client under test
 * only needs a different base URL (`<url>/fixed/v1`, `<url>/stream/v1`, `<url>/hold/v1`):
 * - `fixed`: the canned chat.completion, at once;
 * - `stream`: the whole canned SSE stream of chat chunks, in one write;
 * - `hold`: stream headers and the first event, then nothing until released.
 */
export type CannedMode = 'fixed' | 'stream' | 'hold';

export interface CannedServer {
  readonly port: number;
  /** Length of the whole SSE body a `stream` request gets. */
  readonly streamBytes: number;
  /** Responses currently held open in `hold` mode. */
  heldCount(): number;
  /** Ends every held response. */
  releaseHeld(): void;
  close(): Promise<void>;
}

const jsonHeaders = (length: number) => ({
  'content-type': 'application/json',
  'content-length': String(length),
  'x-request-id': 'req_bench',
});

const streamHeaders = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  'x-request-id': 'req_bench',
};

export async function startCannedServer(streamChunkCount: number, listenPort = 0): Promise<CannedServer> {
  const streamBody = chatStreamBody(streamChunkCount);
  const held = new Set<ServerResponse>();

  const answer = (request: IncomingMessage, response: ServerResponse) => {
    const mode = request.url?.split('/', 2)[1];
    if (mode === 'fixed') {
      response.writeHead(200, jsonHeaders(chatCompletionBody.length));
      response.end(chatCompletionBody);
    } else if (mode === 'stream') {
      response.writeHead(200, { ...streamHeaders, 'content-length': String(streamBody.length) });
      response.end(streamBody);
    } else if (mode === 'hold') {
      response.writeHead(200, streamHeaders);
      response.write(firstStreamEvent);
      held.add(response);
      response.on('close', () => held.delete(response));
    } else {
      response.writeHead(404, jsonHeaders(2));
      response.end('{}');
    }
  };

  const server: Server = createServer((request, response) => {
    // The body is read to its end (as a real server would) before answering; it is not parsed.
    request.on('end', () => answer(request, response));
    request.resume();
  });
  // Held streams sit idle for a while by design; keep-alive sockets outlive a round.
  server.requestTimeout = 0;
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    port,
    streamBytes: streamBody.length,
    heldCount: () => held.size,
    releaseHeld() {
      for (const response of held) response.end();
    },
    close() {
      for (const response of held) response.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}
