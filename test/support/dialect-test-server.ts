import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as the test server saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  /** The query string's parameters. */
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export type DialectRoute = (request: RecordedRequest, response: ServerResponse) => unknown;

/**
 * A small local HTTP server for dialect edge cases the reference server never produces:
 * proxy HTML pages, empty bodies, vLLM error codes, Ollama NDJSON. It counts TCP connections,
 * so a test can prove that nothing was sent.
 */
export interface DialectTestServer {
  readonly url: string;
  readonly connections: number;
  readonly requests: RecordedRequest[];
  /** Answers `METHOD /path` (query ignored) with the handler; later routes replace earlier ones. */
  route(method: string, path: string, handler: DialectRoute): void;
  close(): Promise<void>;
}

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'x-request-id': 'req-dialect',
    ...headers,
  });
  response.end(payload);
}

export function sendText(
  response: ServerResponse,
  status: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { 'content-type': contentType, 'x-request-id': 'req-dialect', ...headers });
  response.end(body);
}

export async function startDialectTestServer(): Promise<DialectTestServer> {
  const routes = new Map<string, DialectRoute>();
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const path = (incoming.url ?? '/').split('?')[0] ?? '/';
    const recorded: RecordedRequest = {
      method: incoming.method ?? 'GET',
      path,
      query: new URL(incoming.url ?? '/', 'http://test').searchParams,
      headers: incoming.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    requests.push(recorded);
    const handler = routes.get(`${recorded.method} ${path}`);
    if (!handler) return sendJson(response, 404, { error: `no route for ${recorded.method} ${path}` });
    try {
      await handler(recorded, response);
    } catch (error) {
      if (!response.headersSent) sendJson(response, 500, { error: String(error) });
    }
  });
  // Clients here live across tests: with Node's default 5 s, a loaded machine's pause lets the
  // server drop a kept-alive socket just as the client reuses it (ECONNRESET, not the test's point).
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    requests,
    route(method, path, handler) {
      routes.set(`${method.toUpperCase()} ${path}`, handler);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
