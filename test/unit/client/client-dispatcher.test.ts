import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher, MockAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiaasClient } from '../../../src/client/aiaas-client.js';
import {
  type DialectTestServer,
  sendJson,
  startDialectTestServer,
} from '../../support/dialect-test-server.js';

let server: DialectTestServer;

beforeAll(async () => {
  server = await startDialectTestServer();
  server.route('GET', '/v1/models', async (_request, response) => {
    // A server that answers a little late, so concurrent calls overlap and each needs a socket.
    await sleep(30);
    sendJson(response, 200, { object: 'list', data: [] });
  });
});
afterAll(() => server.close());

describe('the client keep-alive agent', () => {
  it('caps sockets per origin with `connections` and reuses them', async () => {
    const before = server.connections;
    const client = new AiaasClient({ baseURL: server.url, apiKey: null, connections: 1, logLevel: 'off' });
    await Promise.all([client.models.list(), client.models.list(), client.models.list()]);
    await client.close();
    expect(server.connections - before).toBe(1);
    expect(server.requests.every((request) => request.headers['idempotency-key'] === undefined)).toBe(true);
    expect(server.requests.every((request) => request.headers.authorization === undefined)).toBe(true);
  });

  it('opens more sockets when allowed', async () => {
    const before = server.connections;
    const client = new AiaasClient({ baseURL: server.url, apiKey: null, connections: 3, logLevel: 'off' });
    await Promise.all([client.models.list(), client.models.list(), client.models.list()]);
    await client.close();
    expect(server.connections - before).toBe(3);
  });

  it('sends through an injected dispatcher with interceptors, and leaves it open on close', async () => {
    const tagging: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) =>
      dispatch(
        { ...options, headers: { ...(options.headers as Record<string, string>), 'x-intercepted': 'yes' } },
        handler,
      );
    const base = new Agent();
    const dispatcher = base.compose(tagging);
    const client = new AiaasClient({ baseURL: server.url, apiKey: null, dispatcher, logLevel: 'off' });
    await client.models.list();
    await client.close();
    expect(server.requests.at(-1)?.headers['x-intercepted']).toBe('yes');
    // The closed client refuses calls; the dispatcher it was given is still open for its owner.
    await expect(client.models.list()).rejects.toMatchObject({ code: 'client_closed' });
    const another = new AiaasClient({ baseURL: server.url, apiKey: null, dispatcher, logLevel: 'off' });
    await another.models.list();
    expect(server.requests.at(-1)?.headers['x-intercepted']).toBe('yes');
    await another.close();
    await base.close();
  });

  it('works against undici MockAgent with no network', async () => {
    const mock = new MockAgent();
    mock.disableNetConnect();
    mock
      .get('https://api.example.com')
      .intercept({ path: '/v1/models/gpt-x', method: 'GET', headers: { authorization: 'Bearer sk-mock' } })
      .reply(
        200,
        { id: 'gpt-x', object: 'model', created: 1, owned_by: 'example' },
        { headers: { 'x-request-id': 'mock-req' } },
      );
    const client = new AiaasClient({
      baseURL: 'https://api.example.com/v1',
      apiKey: 'sk-mock',
      dispatcher: mock,
      logLevel: 'off',
    });
    const { data, response } = await client.models.retrieve('gpt-x').withResponse();
    expect(data.owned_by).toBe('example');
    expect(response.requestId).toBe('mock-req');
    await mock.close();
  });
});
