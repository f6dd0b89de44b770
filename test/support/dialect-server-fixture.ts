import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import type { AiaasClientOptions } from '../../src/client/aiaas-client-options.js';
import { type DialectTestServer, startDialectTestServer } from './dialect-test-server.js';

/** A file's dialect test server and the clients pointed at it. */
export interface DialectServerFixture {
  /** The server; usable at load time, its members only inside tests and hooks. */
  readonly server: DialectTestServer;
  /**
   * A new `AiaasClient` at the server (`logLevel: 'off'`, the fixture's defaults, then `options`).
   * One made inside a test is closed after that test; one made in a hook, after the file.
   */
  client(options?: AiaasClientOptions): AiaasClient;
}

/**
 * Starts a {@link DialectTestServer} before the file's tests (or the enclosing `describe`'s),
 * forgets its recorded requests after each test, and closes it and the clients made from it.
 *
 * @example
 * const { server, client } = useDialectTestServer({ maxRetries: 0 });
 * it('maps a 502', async () => {
 *   server.route('POST', '/v1/chat/completions', (_request, response) => sendJson(response, 502, {}));
 *   await expect(client().chat.completions.create(hello)).rejects.toThrow();
 * });
 */
export function useDialectTestServer(defaults: AiaasClientOptions = {}): DialectServerFixture {
  let started: DialectTestServer | undefined;
  let inTest = false;
  const testClients: AiaasClient[] = [];
  const fileClients: AiaasClient[] = [];
  const running = (): DialectTestServer => {
    if (started !== undefined) return started;
    throw new Error(
      'useDialectTestServer(): the server runs from beforeAll to afterAll; use it inside tests and hooks.',
    );
  };

  beforeAll(async () => {
    started = await startDialectTestServer();
  });
  beforeEach(() => {
    inTest = true;
  });
  afterEach(async () => {
    inTest = false;
    running().requests.length = 0;
    await Promise.all(testClients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await Promise.all(fileClients.splice(0).map((client) => client.close()));
    await started?.close();
    started = undefined;
  });

  const server: DialectTestServer = {
    get url() {
      return running().url;
    },
    get connections() {
      return running().connections;
    },
    get requests() {
      return running().requests;
    },
    route: (method, path, handler) => running().route(method, path, handler),
    close: () => running().close(),
  };
  return {
    server,
    client(options = {}) {
      const client = new AiaasClient({ baseURL: running().url, logLevel: 'off', ...defaults, ...options });
      (inTest ? testClients : fileClients).push(client);
      return client;
    },
  };
}
