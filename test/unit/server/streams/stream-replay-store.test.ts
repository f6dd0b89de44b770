import { describe, expect, it } from 'vitest';
import { recordEventStream } from '../../../../src/server/streams/record-event-stream.js';
import type { ReplayEvent } from '../../../../src/server/streams/replay-types.js';
import { StreamReplayBuffer } from '../../../../src/server/streams/stream-replay-buffer.js';
import { StreamReplayStore } from '../../../../src/server/streams/stream-replay-store.js';

describe('StreamReplayStore', () => {
  it('keeps one recording per tenant and key', () => {
    const store = new StreamReplayStore();
    const mine = store.open('key_a', 'idem');
    mine.append({ id: 1, data: 'a' });
    expect(store.get('key_a', 'idem')).toBe(mine);
    expect(store.get('key_b', 'idem')).toBeUndefined();
    expect(store.get('key_a', 'other')).toBeUndefined();
    const replaced = store.open('key_a', 'idem');
    expect(store.get('key_a', 'idem')).toBe(replaced);
    expect(store.bytes).toBe(0);
  });

  it('forgets a stream ttlMs after its last use', () => {
    let now = 0;
    const store = new StreamReplayStore({ ttlMs: 1000, now: () => now });
    const buffer = store.open('t', 'k');
    now = 900;
    buffer.append({ id: 1, data: 'x' }); // writing counts as use
    now = 1800;
    expect(store.get('t', 'k')).toBe(buffer);
    now = 2800;
    expect(store.get('t', 'k')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('forgets the least recently used streams to stay within maxStreams and maxBytes', () => {
    const store = new StreamReplayStore({ maxStreams: 2, maxBytes: 1000 });
    store.open('t', 'a');
    store.open('t', 'b');
    store.get('t', 'a');
    store.open('t', 'c');
    expect(store.get('t', 'b')).toBeUndefined();
    expect(store.get('t', 'a')).toBeDefined();

    const big = new StreamReplayStore({ maxBytes: 1000 });
    const first = big.open('t', 'first');
    first.append({ id: 1, data: 'x'.repeat(600) });
    const second = big.open('t', 'second');
    second.append({ id: 1, data: 'y'.repeat(600) });
    expect(big.get('t', 'first')).toBeUndefined();
    expect(big.bytes).toBe(632);
    // The forgotten writer may keep appending without counting against the store.
    first.append({ id: 2, data: 'z'.repeat(600) });
    expect(big.bytes).toBe(632);
    expect(big.get('t', 'second')).toBe(second);
  });

  it('applies the per-stream bounds to its buffers', () => {
    const store = new StreamReplayStore({ maxEventsPerStream: 2 });
    const buffer = store.open('t', 'k');
    for (let id = 1; id <= 5; id++) buffer.append({ id, data: 'x' });
    expect(buffer.eventsAfter(2)).toMatchObject({ kind: 'gap', reason: 'evicted' });
    expect(store.bytes).toBe(buffer.bytes);
  });
});

async function* produce(payloads: string[], failAt?: number): AsyncGenerator<string> {
  for (const [index, payload] of payloads.entries()) {
    if (index === failAt) throw new Error('model crashed');
    // A model that takes its time over each event, so a follower sees them live.
    await new Promise((resolve) => setTimeout(resolve, 1));
    yield payload;
  }
}

describe('recordEventStream', () => {
  it('numbers events from 1 and completes the recording; a follower gets them all', async () => {
    const buffer = new StreamReplayBuffer();
    const follower = (async () => {
      const events: ReplayEvent[] = [];
      for await (const event of buffer.follow(0)) events.push(event);
      return events;
    })();
    expect(await recordEventStream(buffer, produce(['a', 'b', 'usage', '[DONE]']))).toBe('completed');
    expect(buffer.state).toBe('completed');
    expect((await follower).map((event) => `${event.id}:${event.data}`)).toEqual([
      '1:a',
      '2:b',
      '3:usage',
      '4:[DONE]',
    ]);
  });

  it('records the error event and marks the recording failed when the producer throws', async () => {
    const buffer = new StreamReplayBuffer();
    const outcome = await recordEventStream(buffer, produce(['a', 'b', 'c'], 2), {
      errorEvent: (error) => JSON.stringify({ error: { message: (error as Error).message } }),
    });
    expect(outcome).toBe('failed');
    expect(buffer.state).toBe('failed');
    const replay = buffer.eventsAfter(0);
    expect(replay.kind === 'events' && replay.events.map((event) => event.data)).toEqual([
      'a',
      'b',
      '{"error":{"message":"model crashed"}}',
    ]);
  });

  it('stops and ends the producer when aborted', async () => {
    const buffer = new StreamReplayBuffer();
    const controller = new AbortController();
    let released = false;
    async function* endless(): AsyncGenerator<string> {
      try {
        for (let index = 0; ; index++) {
          if (index === 3) controller.abort();
          // A model still generating (one event a millisecond) when the abort comes.
          await new Promise((resolve) => setTimeout(resolve, 1));
          yield `e${index}`;
        }
      } finally {
        released = true;
      }
    }
    expect(await recordEventStream(buffer, endless(), { signal: controller.signal, firstEventId: 10 })).toBe(
      'aborted',
    );
    expect(released).toBe(true);
    expect(buffer.state).toBe('failed');
    expect(buffer.firstAvailableId).toBe(10);
    expect(buffer.lastEventId).toBe(12);
  });
});
