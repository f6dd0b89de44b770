import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { serverUsageRecordSchema } from '../../src/wire/aiaas/server-usage-schemas.js';
import { parseEventStream, requestJson } from './server-test-client.js';

const handleTypes = () =>
  process
    .getActiveResourcesInfo()
    .filter((type) => type !== 'Timeout' && type !== 'TTYWrap')
    .sort();

describe('close()', () => {
  it('lets an in-flight stream finish, then frees every handle', async () => {
    const before = handleTypes();
    const server = await startReferenceServer({ port: 0, logger: silentServerLogger });
    // A keep-alive connection that sits idle must not hold close() up.
    expect((await requestJson(`${server.url}/health`)).status).toBe(200);

    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'ref-chat',
        messages: [{ role: 'user', content: 'Go on.' }],
        max_tokens: 200,
        temperature: 1,
        seed: 9,
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);

    const closed = server.close();
    let closedYet = false;
    void closed.then(() => {
      closedYet = true;
    });
    let text = new TextDecoder().decode(first.value);
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      text += new TextDecoder().decode(next.value);
    }
    const events = parseEventStream(text);
    expect(events.at(-1)!.data).toBe('[DONE]');
    expect(JSON.parse(events.at(-2)!.data).usage.completion_tokens).toBeGreaterThan(0);
    await closed;
    expect(closedYet).toBe(true);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    // The client's own sockets close a moment after the server's.
    await vi.waitFor(() => expect(handleTypes()).toEqual(before), { timeout: 5_000, interval: 5 });
  });

  it('stops generating when the client disconnects, so close() does not wait for it', async () => {
    // The billing file tells, after close(), how much each call generated.
    const folder = mkdtempSync(join(tmpdir(), 'aiaas-lifecycle-'));
    const billingFile = join(folder, 'billing.jsonl');
    const server = await startReferenceServer({ port: 0, billingFile, logger: silentServerLogger });
    // 16 long, hot-temperature choices: thousands of model runs when left to finish.
    const body = JSON.stringify({
      model: 'ref-chat',
      prompt: ['Chapter one.', 'Chapter two.', 'Chapter three.', 'Chapter four.'],
      n: 4,
      max_tokens: 400,
      temperature: 1.5,
      stream: true,
    });
    const post = (signal?: AbortSignal) =>
      fetch(`${server.url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        ...(signal ? { signal } : {}),
      });

    try {
      const full = await (await post()).text();
      expect(full.endsWith('data: [DONE]\n\n')).toBe(true);

      const abort = new AbortController();
      const reader = (await post(abort.signal)).body!.getReader();
      await reader.read();
      abort.abort();
      // close() waits for in-flight requests, so once it is done the aborted call has ended too.
      await server.close();
      const records = readFileSync(billingFile, 'utf8')
        .trimEnd()
        .split('\n')
        .map((line) => serverUsageRecordSchema.parse(JSON.parse(line)));
      expect(records.map((record) => record.status)).toEqual(['ok', 'aborted']);
      const [whole, cut] = records.map((record) => record!.usage.output_tokens);
      // It ended because the disconnect stopped the generation, not because the generation ran out.
      expect(cut).toBeLessThan(whole! / 4);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('is idempotent', async () => {
    const server = await startReferenceServer({ port: 0, logger: silentServerLogger });
    await Promise.all([server.close(), server.close()]);
    await server.close();
  });
});
