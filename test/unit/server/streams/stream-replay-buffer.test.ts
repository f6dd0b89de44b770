import { describe, expect, it } from 'vitest';
import { type ReplayEvent, ReplayGapError } from '../../../../src/server/streams/replay-types.js';
import { StreamReplayBuffer } from '../../../../src/server/streams/stream-replay-buffer.js';
import { nextTurn } from '../../../support/next-turn.js';

function recorded(count: number, buffer = new StreamReplayBuffer()): StreamReplayBuffer {
  for (let id = 1; id <= count; id++) buffer.append({ id, data: `chunk-${id}` });
  return buffer;
}

const ids = (events: readonly ReplayEvent[]) => events.map((event) => event.id);

async function collect(iterable: AsyncIterable<ReplayEvent>): Promise<ReplayEvent[]> {
  const events: ReplayEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

describe('StreamReplayBuffer.eventsAfter', () => {
  it('gives the events after the last seen id, and the state', () => {
    const buffer = recorded(5);
    expect(buffer.eventsAfter(3)).toEqual({
      kind: 'events',
      events: [
        { id: 4, data: 'chunk-4' },
        { id: 5, data: 'chunk-5' },
      ],
      state: 'running',
    });
    expect(buffer.eventsAfter(5)).toEqual({ kind: 'events', events: [], state: 'running' });
    buffer.append({ id: 6, data: '[DONE]' });
    buffer.complete();
    const rest = buffer.eventsAfter(0);
    expect(rest.kind === 'events' && ids(rest.events)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rest.kind === 'events' && rest.state).toBe('completed');
  });

  it('reports a gap instead of text it no longer holds', () => {
    const buffer = recorded(10, new StreamReplayBuffer({ maxEvents: 4 }));
    expect(buffer.firstAvailableId).toBe(7);
    expect(buffer.eventsAfter(5)).toEqual({
      kind: 'gap',
      reason: 'evicted',
      requestedAfterId: 5,
      firstAvailableId: 7,
      lastEventId: 10,
    });
    // Event 6 was dropped but the client has it: everything it lacks is held.
    const fromSix = buffer.eventsAfter(6);
    expect(fromSix.kind === 'events' && ids(fromSix.events)).toEqual([7, 8, 9, 10]);
  });

  it('reports an id that was never sent as a gap', () => {
    const buffer = recorded(3);
    expect(buffer.eventsAfter(4)).toMatchObject({ kind: 'gap', reason: 'ahead', lastEventId: 3 });
    expect(buffer.eventsAfter(-1)).toMatchObject({ kind: 'gap', reason: 'ahead' });
    expect(buffer.eventsAfter(1.5)).toMatchObject({ kind: 'gap', reason: 'ahead' });
  });

  it('drops the oldest events to stay within maxBytes, keeping at least the newest', () => {
    const buffer = new StreamReplayBuffer({ maxBytes: 200 });
    for (let id = 1; id <= 10; id++) buffer.append({ id, data: 'x'.repeat(50) });
    expect(buffer.bytes).toBeLessThanOrEqual(200);
    expect(buffer.firstAvailableId).toBe(9); // two events of 50 + 32 bytes fit
    buffer.append({ id: 11, data: 'y'.repeat(500) });
    expect(buffer.firstAvailableId).toBe(11);
    expect(buffer.eventsAfter(10)).toMatchObject({ kind: 'events', events: [{ id: 11 }] });
  });

  it('survives many drops (compaction) with exact answers', () => {
    const buffer = recorded(5000, new StreamReplayBuffer({ maxEvents: 100 }));
    expect(buffer.firstAvailableId).toBe(4901);
    expect(buffer.eventsAfter(4899)).toMatchObject({ kind: 'gap', reason: 'evicted' });
    const tail = buffer.eventsAfter(4990);
    expect(tail.kind === 'events' && ids(tail.events)).toEqual(
      Array.from({ length: 10 }, (_, index) => 4991 + index),
    );
  });

  it('refuses ids that do not increase and appends after the end', () => {
    const buffer = recorded(2);
    expect(() => buffer.append({ id: 2, data: 'again' })).toThrow(/must increase/);
    buffer.fail();
    expect(buffer.state).toBe('failed');
    expect(() => buffer.append({ id: 3, data: 'late' })).toThrow(/failed stream/);
    buffer.complete(); // the first end wins
    expect(buffer.state).toBe('failed');
  });

  it('reports its growth to onResize, net of dropped events', () => {
    let total = 0;
    const buffer = new StreamReplayBuffer({ maxEvents: 2, onResize: (delta) => (total += delta) });
    for (let id = 1; id <= 5; id++) buffer.append({ id, data: 'abcd' });
    expect(total).toBe(buffer.bytes);
    expect(total).toBe(2 * (4 + 32));
  });
});

describe('StreamReplayBuffer live following', () => {
  it('subscribe delivers held events, then live ones, then the end', () => {
    const buffer = recorded(3);
    const seen: number[] = [];
    let ended: string | undefined;
    const unsubscribe = buffer.subscribe(1, {
      onEvent: (event) => seen.push(event.id),
      onEnd: (state) => (ended = state),
    });
    expect(seen).toEqual([2, 3]);
    buffer.append({ id: 4, data: 'live' });
    expect(seen).toEqual([2, 3, 4]);
    buffer.complete();
    expect(ended).toBe('completed');
    unsubscribe();
    expect(() => buffer.subscribe(9, { onEvent() {}, onEnd() {} })).toThrow(ReplayGapError);
  });

  it('follow yields the rest of a running generation until it completes', async () => {
    const buffer = recorded(2);
    const following = collect(buffer.follow(1));
    for (let id = 3; id <= 6; id++) {
      await nextTurn(); // the follower has caught up and waits for the live event
      buffer.append({ id, data: id === 6 ? '[DONE]' : `chunk-${id}` });
    }
    buffer.complete();
    const events = await following;
    expect(ids(events)).toEqual([2, 3, 4, 5, 6]);
    expect(events.at(-1)?.data).toBe('[DONE]');
  });

  it('follow of a finished stream replays and ends at once', async () => {
    const buffer = recorded(4);
    buffer.complete();
    expect(ids(await collect(buffer.follow(2)))).toEqual([3, 4]);
    expect(ids(await collect(buffer.follow(4)))).toEqual([]);
  });

  it('follow ends when the signal aborts', async () => {
    const buffer = recorded(1);
    const controller = new AbortController();
    const following = collect(buffer.follow(0, { signal: controller.signal }));
    await nextTurn(); // past event 1, waiting for the next
    controller.abort();
    expect(ids(await following)).toEqual([1]);
  });

  it('follow throws a gap at the start, or when the reader falls behind the buffer', async () => {
    const buffer = recorded(10, new StreamReplayBuffer({ maxEvents: 3 }));
    await expect(collect(buffer.follow(2))).rejects.toBeInstanceOf(ReplayGapError);

    const slow = new StreamReplayBuffer({ maxEvents: 3 });
    recorded(2, slow);
    const iterator = slow.follow(0);
    expect((await iterator.next()).value).toEqual({ id: 1, data: 'chunk-1' });
    expect((await iterator.next()).value).toEqual({ id: 2, data: 'chunk-2' });
    for (let id = 3; id <= 9; id++) slow.append({ id, data: `chunk-${id}` });
    const error = await iterator.next().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ReplayGapError);
    expect((error as ReplayGapError).message).toMatch(/fell behind the buffer after event 2/);
  });
});
