import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { onceAborted } from '../../../../src/server/http/shared-abort-listener.js';

describe('onceAborted', () => {
  it('serves any number of waiters with one listener, runs each once on abort, and then holds none', () => {
    const controller = new AbortController();
    const calls: number[] = [];
    for (let index = 0; index < 50; index++) onceAborted(controller.signal, () => calls.push(index));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    controller.signal.dispatchEvent(new Event('abort'));
    expect(calls).toEqual(Array.from({ length: 50 }, (_, index) => index));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('takes the listener off once every waiter is forgotten, and adds a fresh one for the next', () => {
    const controller = new AbortController();
    let called = 0;
    const callback = () => called++;
    // The same function twice is two waits, forgotten one by one.
    const forgetFirst = onceAborted(controller.signal, callback);
    const forgetSecond = onceAborted(controller.signal, callback);
    forgetFirst();
    forgetFirst();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    forgetSecond();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    onceAborted(controller.signal, callback);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort();
    expect(called).toBe(1);
  });

  it('runs at once for a signal that already aborted, adding nothing', () => {
    let called = 0;
    const forget = onceAborted(AbortSignal.abort(), () => called++);
    expect(called).toBe(1);
    forget();
    expect(called).toBe(1);
  });
});
