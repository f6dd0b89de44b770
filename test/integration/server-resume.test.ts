import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { bearer, chatTextOf, eventsOf, eventually, longChat, rawRequest } from './server-pipeline-helpers.js';
import { requestJson } from './server-test-client.js';

let server: ReferenceServer;
let small: ReferenceServer;
const key = 'sk-resume';
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 11, apiKeys: [key], logger: silentServerLogger });
  // A replay buffer of three events: resuming from further back is past its reach.
  small = await startReferenceServer({
    port: 0,
    apiKeys: [key],
    streamReplay: { maxEventsPerStream: 3 },
    logger: silentServerLogger,
  });
});
afterAll(async () => {
  await server.close();
  await small.close();
});

const stream = (target: ReferenceServer, headers: Record<string, string>) =>
  rawRequest(`${target.url}/v1/chat/completions`, {
    body: longChat,
    headers: { ...bearer(key), ...headers },
  });
const recordsFor = async (target: ReferenceServer, idempotencyKey: string) => {
  const records = (await requestJson(`${target.url}/v1/usage`, { headers: bearer(key) })).body.data as {
    idempotency_key: string;
    status: string;
    usage: { output_tokens: number; input_tokens: number };
  }[];
  return records.filter((record) => record.idempotency_key === idempotencyKey);
};

describe('resumable streams', () => {
  it('numbers every event with an increasing id', async () => {
    const events = eventsOf(await stream(server, {}));
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => String(index + 1)));
  });

  it('resumes a dropped stream with Last-Event-ID: same text, usage and [DONE], billed once', async () => {
    const unbroken = eventsOf(await stream(server, { 'idempotency-key': 'whole' }));
    const cut = await stream(server, {
      'idempotency-key': 'resume-1',
      'x-aiaas-fault': 'drop_after=3;times=1',
    });
    expect(cut.broken).toBe(true);
    const head = eventsOf(cut);
    expect(head.map((event) => event.id)).toEqual(['1', '2', '3']);

    const resumed = await stream(server, { 'idempotency-key': 'resume-1', 'last-event-id': '3' });
    expect(resumed.status).toBe(200);
    expect(resumed.broken).toBe(false);
    expect(resumed.headers['idempotent-replayed']).toBe('true');
    expect(resumed.headers['x-request-id']).toBe(cut.headers['x-request-id']);
    const tail = eventsOf(resumed);
    expect(tail[0]!.id).toBe('4');
    expect(tail.at(-1)!.data).toBe('[DONE]');
    const joined = [...head, ...tail];
    expect(joined.map((event) => event.id)).toEqual(joined.map((_, index) => String(index + 1)));
    expect(chatTextOf(joined)).toBe(chatTextOf(unbroken));
    expect(JSON.parse(tail.at(-2)!.data).usage).toEqual({
      ...JSON.parse(unbroken.at(-2)!.data).usage,
      // Measured time, different on every run.
      compute_ms: expect.any(Number),
    });

    // The whole stream replayed from the start is byte-identical to what the two sockets carried.
    const replayed = await stream(server, { 'idempotency-key': 'resume-1' });
    expect(replayed.text).toBe(cut.text + resumed.text);

    const records = await recordsFor(server, 'resume-1');
    expect(records).toHaveLength(1);
    expect(records[0]!.status).toBe('ok');
    expect(records[0]!.usage.output_tokens).toBe(JSON.parse(tail.at(-2)!.data).usage.completion_tokens);
  });

  it('places stream faults in the stream: a resume past the cut goes through, one before it meets it again', async () => {
    const fault = { 'idempotency-key': 'place-1', 'x-aiaas-fault': 'drop_after=3' };
    expect(eventsOf(await stream(server, fault)).map((event) => event.id)).toEqual(['1', '2', '3']);
    const before = await stream(server, { ...fault, 'last-event-id': '1' });
    expect(before.broken).toBe(true);
    expect(eventsOf(before).map((event) => event.id)).toEqual(['2', '3']);
    const past = await stream(server, { ...fault, 'last-event-id': '3' });
    expect(past.broken).toBe(false);
    expect(eventsOf(past).at(-1)!.data).toBe('[DONE]');
  });

  it('keeps generating into the replay buffer after the client is gone', async () => {
    const body = { ...longChat, max_tokens: 300 };
    const post = (headers: Record<string, string>) =>
      rawRequest(`${server.url}/v1/chat/completions`, { body, headers: { ...bearer(key), ...headers } });
    const whole = eventsOf(await post({ 'idempotency-key': 'left-whole' }));
    const completionTokens = JSON.parse(whole.at(-2)!.data).usage.completion_tokens as number;
    expect(completionTokens).toBeGreaterThan(100);

    const cut = await post({ 'idempotency-key': 'left-1', 'x-aiaas-fault': 'drop_after=1;times=1' });
    expect(cut.broken).toBe(true);
    expect(eventsOf(cut)).toHaveLength(1);
    const [record] = await eventually(async () => {
      const records = await recordsFor(server, 'left-1');
      return records.length > 0 ? records : undefined;
    });
    expect(record!.status).toBe('ok');
    expect(record!.usage.output_tokens).toBe(completionTokens);
    const resumed = eventsOf(await post({ 'idempotency-key': 'left-1', 'last-event-id': '1' }));
    expect(chatTextOf([...eventsOf(cut), ...resumed])).toBe(chatTextOf(whole));
    expect(await recordsFor(server, 'left-1')).toHaveLength(1);
  });

  it('follows a generation that is still running', async () => {
    const body = { ...longChat, max_tokens: 1000 };
    const post = (headers: Record<string, string>) =>
      rawRequest(`${server.url}/v1/chat/completions`, { body, headers: { ...bearer(key), ...headers } });
    const cut = await post({ 'idempotency-key': 'live-1', 'x-aiaas-fault': 'drop_after=2;times=1' });
    // Billing happens when the generation ends: no record yet means it is still running.
    expect(await recordsFor(server, 'live-1')).toEqual([]);
    const resumed = eventsOf(await post({ 'idempotency-key': 'live-1', 'last-event-id': '2' }));
    expect(resumed[0]!.id).toBe('3');
    expect(resumed.at(-1)!.data).toBe('[DONE]');
    const usage = JSON.parse(resumed.at(-2)!.data).usage;
    const joined = [...eventsOf(cut), ...resumed];
    const replayed = eventsOf(await post({ 'idempotency-key': 'live-1' }));
    expect(joined).toEqual(replayed);
    const records = await recordsFor(server, 'live-1');
    expect(records).toHaveLength(1);
    expect(records[0]!.usage.output_tokens).toBe(usage.completion_tokens);
  });

  it('resumes after a malformed line the same way', async () => {
    const cut = await stream(server, {
      'idempotency-key': 'bad-1',
      'x-aiaas-fault': 'malformed_after=2;times=1',
    });
    expect(eventsOf(cut)).toHaveLength(3);
    const resumed = eventsOf(await stream(server, { 'idempotency-key': 'bad-1', 'last-event-id': '2' }));
    const whole = eventsOf(await stream(server, { 'idempotency-key': 'whole' }));
    expect(chatTextOf([...eventsOf(cut).slice(0, 2), ...resumed])).toBe(chatTextOf(whole));
  });

  it('refuses a resume past the buffer with 410 and one never sent with 409, never wrong text', async () => {
    const cut = await stream(small, { 'idempotency-key': 'far-1', 'x-aiaas-fault': 'drop_after=2;times=1' });
    expect(eventsOf(cut)).toHaveLength(2);
    await eventually(async () => ((await recordsFor(small, 'far-1')).length > 0 ? true : undefined));
    const gone = await stream(small, { 'idempotency-key': 'far-1', 'last-event-id': '2' });
    expect(gone.status).toBe(410);
    expect(JSON.parse(gone.text).error).toMatchObject({
      code: 'stream_not_resumable',
      param: 'last-event-id',
    });
    const ahead = await stream(small, { 'idempotency-key': 'far-1', 'last-event-id': '9999' });
    expect(ahead.status).toBe(409);
    expect(JSON.parse(ahead.text).error.code).toBe('invalid_last_event_id');
    // The last three events are still held: a resume within reach works.
    const lastId = Number(eventsOf(await stream(small, { 'idempotency-key': 'whole-small' })).at(-1)!.id);
    const near = await stream(small, { 'idempotency-key': 'far-1', 'last-event-id': String(lastId - 2) });
    expect(
      eventsOf(near)
        .map((event) => event.data)
        .at(-1),
    ).toBe('[DONE]');
    expect(eventsOf(near)).toHaveLength(2);
  });

  it('refuses to resume a call it has no record of, or an unreadable Last-Event-ID', async () => {
    const unknown = await stream(server, { 'idempotency-key': 'never-seen', 'last-event-id': '4' });
    expect(unknown.status).toBe(410);
    expect(await recordsFor(server, 'never-seen')).toEqual([]);
    const unreadable = await stream(server, { 'idempotency-key': 'whole', 'last-event-id': 'four' });
    expect(unreadable.status).toBe(400);
    expect(JSON.parse(unreadable.text).error.code).toBe('invalid_last_event_id');
  });
});
