import { describe, expect, it } from 'vitest';
import { APIPromise } from '../../../src/client/api-promise.js';

const response = { status: 200, headers: { 'x-request-id': 'r1' }, requestId: 'r1' };
const envelope = <Data>(data: Data) => ({ data, response, usage: null, cost: null, attempts: 1 });

describe('APIPromise', () => {
  it('resolves to the data, and withResponse() to data plus response', async () => {
    const promise = new APIPromise(Promise.resolve(envelope({ value: 1 })));
    expect(await promise).toEqual({ value: 1 });
    expect(await promise.withResponse()).toEqual(envelope({ value: 1 }));
    expect(promise).toBeInstanceOf(Promise);
  });

  it('works with then, catch, finally and Promise.all', async () => {
    const ok = new APIPromise(Promise.resolve(envelope(2)));
    expect(await ok.then((value) => value * 10)).toBe(20);
    expect(await Promise.all([ok, new APIPromise(Promise.resolve(envelope(3)))])).toEqual([2, 3]);
    let finished = false;
    await ok.finally(() => {
      finished = true;
    });
    expect(finished).toBe(true);
  });

  it('rejects through await, catch and withResponse alike', async () => {
    const failing = new APIPromise<number>(Promise.reject(new Error('boom')));
    await expect(failing).rejects.toThrow('boom');
    expect(await failing.catch((error: Error) => error.message)).toBe('boom');
    await expect(failing.withResponse()).rejects.toThrow('boom');
  });
});
