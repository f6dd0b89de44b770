import { afterAll } from 'vitest';
import { createAgent } from '../../src/transport/create-agent.js';
import { HttpTransport } from '../../src/transport/http-transport.js';
import { createRedactor } from '../../src/transport/redactor.js';
import { createSdkLogger } from '../../src/transport/sdk-logger.js';
import type { Middleware } from '../../src/transport/transport-types.js';
import { useDialectTestServer } from './dialect-server-fixture.js';
import type { DialectTestServer } from './dialect-test-server.js';

const silent = { debug() {}, info() {}, warn() {}, error() {} };

/** A file's `HttpTransport` set-up: a dialect test server, one keep-alive agent, and transports over it. */
export interface HttpTransportFixture {
  readonly server: DialectTestServer;
  /** The agent every transport sends through (4 sockets per origin), closed after the file. */
  readonly agent: ReturnType<typeof createAgent>;
  /** A transport as the client builds one: JSON accepted, logging off, a 5 s timeout unless told. */
  transport(options?: { middleware?: Middleware[]; timeout?: number }): HttpTransport;
}

/**
 * Starts a dialect test server for the file's transport tests (see {@link useDialectTestServer})
 * and makes transports over one shared agent.
 *
 * @example
 * const { server, transport } = useHttpTransport();
 * it('sends JSON', async () => {
 *   server.route('POST', '/echo', (request, response) => sendJson(response, 200, JSON.parse(request.body)));
 *   await transport().requestJson({ method: 'POST', url: `${server.url}/echo`, body: { a: 1 } });
 * });
 */
export function useHttpTransport(): HttpTransportFixture {
  const { server } = useDialectTestServer();
  const agent = createAgent({ connections: 4 });
  afterAll(() => agent.close());
  return {
    server,
    agent,
    transport(options = {}) {
      const redactor = createRedactor([]);
      return new HttpTransport({
        dispatcher: agent,
        timeout: options.timeout ?? 5_000,
        defaultHeaders: { accept: 'application/json' },
        middleware: options.middleware ?? [],
        logger: createSdkLogger(silent, 'off', redactor),
        redactor,
      });
    },
  };
}
