import { describe, expect, it } from 'vitest';
import { createChatStream } from '../../../src/streaming/index.js';
import { nextTurn } from '../../support/next-turn.js';
import { bytes, chatChunk, sseEvent } from './stream-fixtures.js';

/** A body of `count` one-event chunks that records how many chunks were pulled from it. */
function endlessLikeBody(count: number) {
  const state = { pulled: 0 };
  async function* body() {
    for (let index = 1; index <= count; index += 1) {
      state.pulled += 1;
      yield bytes(sseEvent(index, chatChunk([{ content: `piece ${index} ` }])));
    }
    yield bytes(sseEvent(count + 1, chatChunk([{ finishReason: 'stop' }])) + sseEvent(count + 2, '[DONE]'));
  }
  return { state, body: body() };
}

describe('backpressure', () => {
  it('pulls at most one chunk beyond what the consumer asked for', async () => {
    const { state, body } = endlessLikeBody(1000);
    const stream = createChatStream({ body, format: 'sse' });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next(); // response metadata and the first text come from chunk 1
    await iterator.next();
    expect(state.pulled).toBe(1);
    for (let asked = 2; asked <= 50; asked += 1) {
      const { value } = await iterator.next();
      expect(value).toMatchObject({ type: 'text-delta', text: `piece ${asked} ` });
      expect(state.pulled).toBeLessThanOrEqual(asked + 1);
    }
    await iterator.return?.();
    expect(state.pulled).toBeLessThanOrEqual(51);
  });

  it('reads nothing before the consumer asks', async () => {
    const { state, body } = endlessLikeBody(10);
    const stream = createChatStream({ body, format: 'sse' });
    // A read-ahead would start in reaction to the stream's creation (or to the first read, below).
    await nextTurn();
    expect(state.pulled).toBe(0);
    const reader = stream.toReadableStream().getReader();
    await reader.read();
    await nextTurn();
    // A ReadableStream with no read-ahead: one read, one chunk.
    expect(state.pulled).toBe(1);
    await reader.cancel();
  });
});
