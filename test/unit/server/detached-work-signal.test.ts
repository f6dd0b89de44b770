import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { detachedWorkSignal } from '../../../src/server/http/detached-work-signal.js';

describe('detachedWorkSignal', () => {
  it('fires only once the limit has passed after the disconnect', async () => {
    const disconnect = new AbortController();
    const work = detachedWorkSignal(disconnect.signal, new AbortController().signal, 40);
    await sleep(60);
    expect(work.signal.aborted).toBe(false);
    disconnect.abort();
    await sleep(10);
    expect(work.signal.aborted).toBe(false);
    await sleep(60);
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

  it('never fires once released', async () => {
    const disconnect = new AbortController();
    const closing = new AbortController();
    const work = detachedWorkSignal(disconnect.signal, closing.signal, 20);
    disconnect.abort();
    work.release();
    closing.abort();
    await sleep(40);
    expect(work.signal.aborted).toBe(false);
  });
});
