import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as the server read it. */
export interface WatchedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Resolves when the socket that carried this request closes. */
  readonly socketClosed: Promise<void>;
}

export type WatchedHandler = (request: WatchedRequest, response: ServerResponse) => unknown;

/**
 * A node:http server on port 0 that watches its sockets, so a test can prove the client closed
 * them: `openSockets` counts those still open, `closedSockets` those that closed. One handler
 * answers every request.
 */
export interface SocketWatchingServer {
  readonly url: string;
  readonly requests: WatchedRequest[];
  readonly openSockets: number;
  readonly closedSockets: number;
  handle(handler: WatchedHandler): void;
  close(): Promise<void>;
}

export async function startSocketWatchingServer(): Promise<SocketWatchingServer> {
  const sockets = new Set<Socket>();
  const requests: WatchedRequest[] = [];
  let closedSockets = 0;
  let handler: WatchedHandler = (_request, response) => response.writeHead(404).end();
  const server = createServer(async (incoming, response) => {
    const socket = incoming.socket;
    const socketClosed = socket.destroyed
      ? Promise.resolve()
      : new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const request: WatchedRequest = {
      method: incoming.method ?? 'GET',
      path: (incoming.url ?? '/').split('?')[0] ?? '/',
      headers: incoming.headers,
      body: Buffer.concat(chunks).toString('utf8'),
      socketClosed,
    };
    requests.push(request);
    await handler(request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      closedSockets += 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get openSockets() {
      return sockets.size;
    },
    get closedSockets() {
      return closedSockets;
    },
    handle(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What {@link writeUntilClosed} wrote before the response's socket closed. */
export interface EndlessWrite {
  /** Resolves with the bytes handed to the socket once it closes (or the safety stop is reached). */
  readonly done: Promise<{ bytesWritten: number; closedByPeer: boolean }>;
}

/**
 * Writes `next()` to the response again and again, respecting backpressure, until the client
 * closes the connection — or, as a safety stop for a client that never does, until
 * `safetyBytes` were written (then the response ends normally).
 */
export function writeUntilClosed(
  response: ServerResponse,
  next: () => string,
  safetyBytes: number,
): EndlessWrite {
  const done = (async () => {
    let bytesWritten = 0;
    let closed = false;
    response.once('close', () => {
      closed = true;
    });
    while (!closed && !response.destroyed && bytesWritten < safetyBytes) {
      const chunk = next();
      bytesWritten += Buffer.byteLength(chunk);
      if (!response.write(chunk)) {
        await new Promise<void>((resolve) => {
          const settle = () => {
            response.off('drain', settle);
            response.off('close', settle);
            resolve();
          };
          response.once('drain', settle);
          response.once('close', settle);
        });
      }
    }
    const closedByPeer = closed || response.destroyed;
    if (!closedByPeer) response.end();
    return { bytesWritten, closedByPeer };
  })();
  return { done };
}
