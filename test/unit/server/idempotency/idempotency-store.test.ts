import { describe, expect, it } from 'vitest';
import { bodyFingerprint } from '../../../../src/server/idempotency/body-fingerprint.js';
import { IdempotencyStore } from '../../../../src/server/idempotency/idempotency-store.js';
import type {
  IdempotencyBegin,
  IdempotencyStoreOptions,
  StoredResponse,
} from '../../../../src/server/idempotency/idempotency-types.js';
import { nextTurn } from '../../../support/next-turn.js';

const limits: IdempotencyStoreOptions = { ttlMs: 60_000, maxEntries: 100, maxBytes: 1_000_000 };

function response(text: string, status = 200, requestId = `req_${text}`): StoredResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: Buffer.from(text), requestId };
}

function expectKind<K extends IdempotencyBegin['kind']>(
  result: IdempotencyBegin,
  kind: K,
): Extract<IdempotencyBegin, { kind: K }> {
  expect(result.kind).toBe(kind);
  return result as Extract<IdempotencyBegin, { kind: K }>;
}

describe('IdempotencyStore', () => {
  it('runs the first request, replays the same key and body, refuses another body', () => {
    const store = new IdempotencyStore(limits);
    const first = expectKind(store.begin('key_a', 'idem-1', 'hash-1'), 'new');
    expect(first.complete(response('one'))).toBe(true);
    const replay = expectKind(store.begin('key_a', 'idem-1', 'hash-1'), 'replay');
    expect(replay.stored.body.toString()).toBe('one');
    expect(replay.stored.requestId).toBe('req_one');
    expect(store.begin('key_a', 'idem-1', 'hash-2').kind).toBe('conflict');
  });

  it('keeps tenants apart', () => {
    const store = new IdempotencyStore(limits);
    expectKind(store.begin('key_a', 'idem', 'hash'), 'new').complete(response('a'));
    expect(store.begin('key_b', 'idem', 'other-hash').kind).toBe('new');
  });

  it('conflicts with a running request that has another body', () => {
    const store = new IdempotencyStore(limits);
    store.begin('t', 'k', 'hash-1');
    expect(store.begin('t', 'k', 'hash-2').kind).toBe('conflict');
  });

  it('does not keep a failed attempt, so the retry runs again', () => {
    const store = new IdempotencyStore(limits);
    expectKind(store.begin('t', 'k', 'h'), 'new').fail();
    const second = expectKind(store.begin('t', 'k', 'h'), 'new');
    expect(second.complete(response('boom', 503))).toBe(false);
    expect(expectKind(store.begin('t', 'k', 'h'), 'new').complete(response('rate', 429))).toBe(false);
    const fourth = expectKind(store.begin('t', 'k', 'h'), 'new');
    expect(fourth.complete(response('bad request', 400))).toBe(true);
    expect(expectKind(store.begin('t', 'k', 'h'), 'replay').stored.status).toBe(400);
    expect(store.size).toBe(1);
  });

  it('ignores a second settle of the same attempt', () => {
    const store = new IdempotencyStore(limits);
    const first = expectKind(store.begin('t', 'k', 'h'), 'new');
    expect(first.complete(response('one'))).toBe(true);
    first.fail();
    expect(first.complete(response('two'))).toBe(false);
    expect(expectKind(store.begin('t', 'k', 'h'), 'replay').stored.body.toString()).toBe('one');
  });

  it('makes concurrent duplicates wait for the first and replay its answer', async () => {
    const store = new IdempotencyStore(limits);
    const first = expectKind(store.begin('t', 'k', 'h'), 'new');
    const waits = [1, 2, 3].map(() => expectKind(store.begin('t', 'k', 'h'), 'in-progress').wait());
    let settled = false;
    void Promise.all(waits).then(() => {
      settled = true;
    });
    await nextTurn();
    expect(settled).toBe(false);
    first.complete(response('answer'));
    const results = await Promise.all(waits);
    expect(results.map((result) => expectKind(result, 'replay').stored.body.toString())).toEqual([
      'answer',
      'answer',
      'answer',
    ]);
  });

  it('hands the call to exactly one waiter when the first attempt fails', async () => {
    const store = new IdempotencyStore(limits);
    const first = expectKind(store.begin('t', 'k', 'h'), 'new');
    const waits = [1, 2, 3].map(() => expectKind(store.begin('t', 'k', 'h'), 'in-progress').wait());
    first.fail();
    const results = await Promise.all(waits);
    expect(results.map((result) => result.kind)).toEqual(['new', 'in-progress', 'in-progress']);
    const followUps = results.slice(1).map((result) => expectKind(result, 'in-progress').wait());
    expectKind(results[0] as IdempotencyBegin, 'new').complete(response('second try'));
    for (const result of await Promise.all(followUps)) {
      expect(expectKind(result, 'replay').stored.body.toString()).toBe('second try');
    }
  });

  it('passes over a waiter whose client left', async () => {
    const store = new IdempotencyStore(limits);
    const first = expectKind(store.begin('t', 'k', 'h'), 'new');
    const controller = new AbortController();
    const leaving = expectKind(store.begin('t', 'k', 'h'), 'in-progress').wait(controller.signal);
    const staying = expectKind(store.begin('t', 'k', 'h'), 'in-progress').wait();
    controller.abort(new Error('client left'));
    await expect(leaving).rejects.toThrow('client left');
    first.fail();
    expect((await staying).kind).toBe('new');
    const aborted = AbortSignal.abort(new Error('already gone'));
    await expect(expectKind(store.begin('t', 'k', 'h'), 'in-progress').wait(aborted)).rejects.toThrow(
      'already gone',
    );
  });

  it('expires answers after ttlMs', () => {
    let now = 0;
    const store = new IdempotencyStore({ ...limits, ttlMs: 1000, now: () => now });
    expectKind(store.begin('t', 'k', 'h'), 'new').complete(response('one'));
    now = 999;
    expect(store.begin('t', 'k', 'h').kind).toBe('replay');
    now = 1000;
    // Expired: the key is free again, even for another body.
    expect(store.begin('t', 'k', 'other').kind).toBe('new');
  });

  it('sweeps expired answers it is not asked about', () => {
    let now = 0;
    const store = new IdempotencyStore({ ...limits, ttlMs: 1000, now: () => now });
    for (let index = 0; index < 10; index++) {
      expectKind(store.begin('t', `k${index}`, 'h'), 'new').complete(response(`r${index}`));
    }
    expect(store.size).toBe(10);
    now = 5000;
    expectKind(store.begin('t', 'fresh', 'h'), 'new').complete(response('fresh'));
    expect(store.size).toBe(1);
  });

  it('evicts the least recently used answers to stay within maxEntries', () => {
    const store = new IdempotencyStore({ ...limits, maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) expectKind(store.begin('t', key, 'h'), 'new').complete(response(key));
    expect(store.begin('t', 'a', 'h').kind).toBe('replay'); // a is now the most recent
    expectKind(store.begin('t', 'd', 'h'), 'new').complete(response('d'));
    expect(store.size).toBe(3);
    expect(store.begin('t', 'b', 'h').kind).toBe('new');
    expect(store.begin('t', 'a', 'h').kind).toBe('replay');
  });

  it('stays within maxBytes and never keeps an answer bigger than the budget', async () => {
    const store = new IdempotencyStore({ ...limits, maxBytes: 3000 });
    const big = (text: string) => ({ ...response(text), body: Buffer.alloc(1000, text) });
    for (const key of ['a', 'b', 'c', 'd']) expectKind(store.begin('t', key, 'h'), 'new').complete(big(key));
    expect(store.bytes).toBeLessThanOrEqual(3000);
    expect(store.size).toBe(2);
    expect(store.begin('t', 'a', 'h').kind).toBe('new');
    expect(store.begin('t', 'd', 'h').kind).toBe('replay');

    const huge = expectKind(store.begin('t', 'huge', 'h'), 'new');
    const waiting = expectKind(store.begin('t', 'huge', 'h'), 'in-progress').wait();
    expect(huge.complete({ ...response('x'), body: Buffer.alloc(5000) })).toBe(false);
    // The waiter still gets the answer; only later replays are impossible.
    expect(expectKind(await waiting, 'replay').stored.body.length).toBe(5000);
    expect(store.begin('t', 'huge', 'h').kind).toBe('new');
  });

  it('rejects impossible options', () => {
    expect(() => new IdempotencyStore({ ...limits, ttlMs: 0 })).toThrow(/ttlMs/);
    expect(() => new IdempotencyStore({ ...limits, maxBytes: 1.5 })).toThrow(/maxBytes/);
  });
});

describe('bodyFingerprint', () => {
  it('is the SHA-256 of the body, and depends on the route when given', () => {
    expect(bodyFingerprint(Buffer.from('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    const body = Buffer.from('{"model":"ref-chat"}');
    expect(bodyFingerprint(body, 'POST /v1/completions')).not.toBe(
      bodyFingerprint(body, 'POST /v1/chat/completions'),
    );
    expect(bodyFingerprint(body, 'POST /v1/completions')).toBe(
      bodyFingerprint(Buffer.from(body), 'POST /v1/completions'),
    );
  });
});
