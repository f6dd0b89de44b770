import { beforeAll, describe, expect, it } from 'vitest';
import type { AiaasClient } from '../../src/client/aiaas-client.js';
import { useDialectTestServer } from '../support/dialect-server-fixture.js';
import { sendJson } from '../support/dialect-test-server.js';

const { server, client } = useDialectTestServer({ maxRetries: 0 });

const hello = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('the oip provider against dialect quirks', () => {
  let oip: AiaasClient;
  beforeAll(() => {
    oip = client({ provider: 'oip', baseURL: `${server.url}/v2` });
  });

  it('reads readiness from status codes: 200 empty body, 400 (Triton), 503 (KServe)', async () => {
    server.route('GET', '/v2/models/a/ready', (_request, response) => response.writeHead(200).end());
    server.route('GET', '/v2/models/b/ready', (_request, response) =>
      sendJson(response, 400, { error: "Request for unknown model: 'b'" }),
    );
    server.route('GET', '/v2/models/c/versions/2/ready', (_request, response) =>
      sendJson(response, 503, { error: 'loading' }),
    );
    expect(await oip.inference.ready('a')).toBe(true);
    expect(await oip.inference.ready('b')).toBe(false);
    expect(await oip.inference.ready('c', { version: '2' })).toBe(false);
  });

  it('still throws for auth failures on ready, and reads OIP string errors', async () => {
    server.route('GET', '/v2/models/a/ready', (_request, response) =>
      sendJson(response, 401, { error: 'missing key' }),
    );
    await expect(oip.inference.ready('a')).rejects.toThrow(/401 Unauthorized: missing key/);
    server.route('POST', '/v2/models/a/infer', (_request, response) =>
      sendJson(response, 400, { error: "input 'x' has wrong shape" }),
    );
    await expect(
      oip.inference.infer('a', [{ name: 'x', datatype: 'FP32', shape: [1], data: [1] }]),
    ).rejects.toThrow(/input 'x' has wrong shape/);
  });

  it('lists models through the repository index', async () => {
    server.route('POST', '/v2/repository/index', (_request, response) =>
      sendJson(response, 200, [
        { name: 'a', version: '1', state: 'READY' },
        { name: 'a', version: '2' },
        { name: 'b' },
      ]),
    );
    expect((await oip.models.list()).data.map((model) => model.id)).toEqual(['a', 'b']);
  });

  it('refuses chat on the oip provider', async () => {
    await expect(oip.chat.completions.create(hello)).rejects.toThrow(
      'The oip provider does not support chat completions.',
    );
  });
});
