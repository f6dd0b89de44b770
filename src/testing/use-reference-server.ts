import { AiaasClient } from '../client/aiaas-client.js';
import type { AiaasClientOptions } from '../client/aiaas-client-options.js';
import type { ReferenceServer } from '../server/reference-server.js';
import type { ReferenceServerOptions } from '../server/server-options.js';
import { resolveTestRunnerHooks, type TestRunnerHooks } from './test-runner-hooks.js';

/** Options of {@link useReferenceServer}: the server's options plus the test wiring. */
export interface UseReferenceServerOptions extends ReferenceServerOptions {
  /** The API key the server accepts and `client()` sends. Default `sk-aiaas-test`. */
  apiKey?: string | undefined;
  /** Defaults for every `client()` (e.g. `{ pricing: 'server', maxRetries: 0 }`). */
  client?: AiaasClientOptions | undefined;
  /** Suite hooks of a runner other than vitest, e.g. node:test's `{ beforeAll: before, afterAll: after }`. */
  hooks?: TestRunnerHooks | undefined;
  /** Milliseconds the start may take (loading the models). Default 60000. */
  startTimeout?: number | undefined;
}

/** The file's reference server; its fields can be read inside tests and hooks (not at load time). */
export interface ReferenceServerFixture {
  /** The server's base URL, e.g. `http://127.0.0.1:41234` (OpenAI clients add `/v1`). */
  readonly url: string;
  readonly apiKey: string;
  readonly server: ReferenceServer;
  /**
   * An `AiaasClient` pointed at the server with the key. Without options, the same client
   * every time; with options, a new one. All are closed after the file's tests.
   */
  client(options?: AiaasClientOptions): AiaasClient;
}

const defaultApiKey = 'sk-aiaas-test';

/**
 * Starts one reference server (port 0, the built-in models) before the file's tests and
 * closes it, with every client made from it, after them. Call it at the top of a test file.
 *
 * @example
 * import { chat } from 'aiaas';
 * import { useReferenceServer } from 'aiaas/testing';
 *
 * const reference = useReferenceServer({ seed: 42 });
 * it('answers', async () => {
 *   const completion = await reference.client().chat.completions.create(chat('ref-chat').user('hi'));
 *   expect(completion.choices[0]?.message.content).not.toBe('');
 * });
 */
export function useReferenceServer(options: UseReferenceServerOptions = {}): ReferenceServerFixture {
  const { apiKey = defaultApiKey, client: clientDefaults, hooks, startTimeout, ...serverOptions } = options;
  const runner = resolveTestRunnerHooks(hooks);
  let server: ReferenceServer | undefined;
  let sharedClient: AiaasClient | undefined;
  const clients: AiaasClient[] = [];

  const running = (): ReferenceServer => {
    if (server !== undefined) return server;
    throw new Error(
      'useReferenceServer(): the server starts in beforeAll and stops in afterAll; read `url` and call `client()` inside a test or hook.',
    );
  };

  runner.beforeAll(async () => {
    // Imported here so that a file that only builds fault headers does not load the server.
    const { startReferenceServer, silentServerLogger } = await import('../server/index.js');
    server = await startReferenceServer({
      port: 0,
      logger: silentServerLogger,
      ...serverOptions,
      apiKeys: [apiKey, ...(serverOptions.apiKeys ?? []).filter((key) => key !== apiKey)],
    });
  }, startTimeout ?? 60_000);

  runner.afterAll(async () => {
    const closing = clients.splice(0).map((each) => each.close());
    sharedClient = undefined;
    await Promise.allSettled(closing);
    await server?.close();
    server = undefined;
  });

  const makeClient = (overrides: AiaasClientOptions | undefined): AiaasClient => {
    const made = new AiaasClient({ baseURL: running().url, apiKey, ...clientDefaults, ...overrides });
    clients.push(made);
    return made;
  };

  return {
    get url() {
      return running().url;
    },
    apiKey,
    get server() {
      return running();
    },
    client(overrides) {
      if (overrides !== undefined) return makeClient(overrides);
      sharedClient ??= makeClient(undefined);
      return sharedClient;
    },
  };
}
