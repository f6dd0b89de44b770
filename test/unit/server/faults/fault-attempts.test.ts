import { describe, expect, it } from 'vitest';
import { FaultAttemptCounter } from '../../../../src/server/faults/fault-attempt-counter.js';
import { activeFaults, faultActions } from '../../../../src/server/faults/fault-directive.js';
import { parseFaultHeader } from '../../../../src/server/faults/fault-header-parser.js';

describe('activeFaults with times', () => {
  it('applies times=2 to exactly the first two attempts of one key', () => {
    const plan = parseFaultHeader('status=503;times=2,delay_ms=10');
    const counter = new FaultAttemptCounter();
    const statuses = [1, 2, 3, 4].map(() => {
      const attempt = counter.nextAttempt('key_a', 'idem-1');
      return faultActions(activeFaults(plan, attempt)).status?.status;
    });
    expect(statuses).toEqual([503, 503, undefined, undefined]);
    // The directive without times applies to every attempt.
    expect(activeFaults(plan, 99).map((fault) => fault.kind)).toEqual(['delay_ms']);
  });

  it('flattens directives into actions', () => {
    const actions = faultActions(
      activeFaults(
        parseFaultHeader('reset,delay_ms=7,chunk_delay_ms=3,drop_after=4,malformed_after=2,stall_after=9'),
        1,
      ),
    );
    expect(actions).toEqual({
      reset: true,
      delayMs: 7,
      chunkDelayMs: 3,
      dropAfter: 4,
      malformedAfter: 2,
      stallAfter: 9,
    });
    expect(faultActions([])).toEqual({ reset: false, delayMs: 0, chunkDelayMs: 0 });
  });
});

describe('FaultAttemptCounter', () => {
  it('counts per tenant and key, and treats a call without a key as attempt 1', () => {
    const counter = new FaultAttemptCounter();
    expect(counter.nextAttempt('key_a', 'k')).toBe(1);
    expect(counter.nextAttempt('key_a', 'k')).toBe(2);
    expect(counter.nextAttempt('key_b', 'k')).toBe(1);
    expect(counter.nextAttempt('key_a', 'other')).toBe(1);
    expect(counter.nextAttempt('key_a', undefined)).toBe(1);
    expect(counter.nextAttempt('key_a', undefined)).toBe(1);
    expect(counter.attemptsSoFar('key_a', 'k')).toBe(2);
    expect(counter.attemptsSoFar('key_c', 'k')).toBe(0);
  });

  it('forgets a call ttlMs after its last attempt', () => {
    let now = 1_000;
    const counter = new FaultAttemptCounter({ ttlMs: 100, now: () => now });
    counter.nextAttempt('t', 'k');
    now += 99;
    expect(counter.nextAttempt('t', 'k')).toBe(2); // the TTL slides with each attempt
    now += 99;
    expect(counter.nextAttempt('t', 'k')).toBe(3);
    now += 100;
    expect(counter.attemptsSoFar('t', 'k')).toBe(0);
    expect(counter.nextAttempt('t', 'k')).toBe(1);
  });

  it('keeps at most maxEntries, evicting the least recently attempted', () => {
    const counter = new FaultAttemptCounter({ maxEntries: 3 });
    for (const key of ['a', 'b', 'c']) counter.nextAttempt('t', key);
    counter.nextAttempt('t', 'a'); // a is now the most recent
    counter.nextAttempt('t', 'd'); // evicts b
    expect(counter.size).toBe(3);
    expect(counter.attemptsSoFar('t', 'b')).toBe(0);
    expect(counter.attemptsSoFar('t', 'a')).toBe(2);
    expect(counter.attemptsSoFar('t', 'c')).toBe(1);
  });

  it('counts a call without a key by its fingerprint, per tenant, within a sliding keyless window', () => {
    let now = 1_000;
    const counter = new FaultAttemptCounter({ keylessWindowMs: 100, now: () => now });
    expect(counter.nextKeylessAttempt('t', 'body-a')).toBe(1);
    now += 99;
    expect(counter.nextKeylessAttempt('t', 'body-a')).toBe(2); // the window slides with each attempt
    expect(counter.nextKeylessAttempt('t', 'body-b')).toBe(1);
    expect(counter.nextKeylessAttempt('u', 'body-a')).toBe(1);
    now += 99;
    expect(counter.nextKeylessAttempt('t', 'body-a')).toBe(3);
    now += 100;
    expect(counter.nextKeylessAttempt('t', 'body-a')).toBe(1); // the same request later is a new call
    // Keyless counts never mix with keyed ones, nor do their windows: keys keep the default 10 minutes.
    expect(counter.nextAttempt('t', 'body-a')).toBe(1);
    now += 1_000;
    expect(counter.nextAttempt('t', 'body-a')).toBe(2);
  });

  it('keeps keyless memory bounded: expired fingerprints are swept and at most maxEntries kept', () => {
    let now = 0;
    const counter = new FaultAttemptCounter({ keylessWindowMs: 10, maxEntries: 50, now: () => now });
    for (let index = 0; index < 1_000; index++) {
      counter.nextKeylessAttempt('t', `body-${index}`);
      expect(counter.size).toBeLessThanOrEqual(50);
    }
    now += 10;
    counter.nextKeylessAttempt('t', 'late');
    expect(counter.size).toBe(1);
  });

  it('rejects impossible options', () => {
    expect(() => new FaultAttemptCounter({ ttlMs: 0 })).toThrow(/ttlMs/);
    expect(() => new FaultAttemptCounter({ keylessWindowMs: 0 })).toThrow(/keylessWindowMs/);
    expect(() => new FaultAttemptCounter({ maxEntries: 0 })).toThrow(/maxEntries/);
  });
});
