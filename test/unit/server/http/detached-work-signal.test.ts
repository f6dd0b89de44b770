import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { detachedWorkSignal } from '../../../../src/server/http/detached-work-signal.js';

describe('detachedWorkSignal', () => {
  // The limit is the subject: a fake clock moves exactly as far as each step says.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires only once the limit has passed after the disconnect', () => {
    const disconnect = new AbortController();
    const work = detachedWorkSignal(disconnect.signal, new AbortController().signal, 40);
    vi.advanceTimersByTime(60);
    expect(work.signal.aborted).toBe(false);
    disconnect.abort();
    vi.advanceTimersByTime(39);
    expect(work.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(work.signal.aborted).toBe(true);
  });

  it('fires at once when the server closes while the client is gone, and not while it is there', () => {
    const disconnect = new AbortController();
    const closing = new AbortController();
    const work = detachedWorkSignal(disconnect.signal, closing.signal, 60_000);
    closing.abort();
    expect(work.signal.aborted).toBe(false);
    disconnect.abort();
    expect(work.signal.aborted).toBe(true);
  });

  it('never fires once released', () => {
    const disconnect = new AbortController();
    const closing = new AbortController();
    const work = detachedWorkSignal(disconnect.signal, closing.signal, 20);
    disconnect.abort();
    work.release();
    closing.abort();
    vi.advanceTimersByTime(40);
    expect(work.signal.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps one listener on the closing signal for any number of detached works, and none once released', () => {
    const closing = new AbortController();
    const baseline = getEventListeners(closing.signal, 'abort').length;
    const works = Array.from({ length: 30 }, () => {
      const disconnect = new AbortController();
      const work = detachedWorkSignal(disconnect.signal, closing.signal, 60_000);
      disconnect.abort();
      return work;
    });
    expect(getEventListeners(closing.signal, 'abort')).toHaveLength(baseline + 1);
    for (const work of works.slice(0, 20)) work.release();
    expect(getEventListeners(closing.signal, 'abort')).toHaveLength(baseline + 1);
    // The server closing still stops every work that is left, and only those.
    closing.abort();
    expect(works.map((work) => work.signal.aborted)).toEqual([
      ...new Array(20).fill(false),
      ...new Array(10).fill(true),
    ]);
    const fresh = new AbortController();
    const released = Array.from({ length: 30 }, () => {
      const disconnect = new AbortController();
      const work = detachedWorkSignal(disconnect.signal, fresh.signal, 60_000);
      disconnect.abort();
      return work;
    });
    for (const work of released) work.release();
    expect(getEventListeners(fresh.signal, 'abort')).toHaveLength(0);
  });
});
