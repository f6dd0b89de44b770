import { describe, expect, it } from 'vitest';
import { ChaosInjector } from '../../../../src/server/faults/chaos-injector.js';
import type { FaultDirective } from '../../../../src/server/faults/fault-directive.js';

const keys = Array.from({ length: 10_000 }, (_, index) => `idem-${index}`);

describe('ChaosInjector', () => {
  it('decides the same faults for the same seed whatever the call order', () => {
    const first = new ChaosInjector({ rate: 0.3, seed: 42 });
    const second = new ChaosInjector({ rate: 0.3, seed: 42 });
    const calls = keys.slice(0, 500).flatMap((key) => [1, 2, 3].map((attempt) => ({ key, attempt })));
    const forward = new Map<string, FaultDirective | undefined>();
    for (const { key, attempt } of calls)
      forward.set(`${key}#${attempt}`, first.decide(key, attempt, 'body'));
    const reversed = new Map<string, FaultDirective | undefined>();
    for (const { key, attempt } of [...calls].reverse()) {
      // Interleave unrelated decisions: they must not disturb the sequence.
      second.decide(`noise-${attempt}`, attempt, 'x');
      reversed.set(`${key}#${attempt}`, second.decide(key, attempt, 'body'));
    }
    expect(reversed).toEqual(forward);
    expect([...forward.values()].filter(Boolean).length).toBeGreaterThan(0);
  });

  it('gives other decisions for another seed and for another attempt', () => {
    const one = new ChaosInjector({ rate: 0.5, seed: 1 });
    const two = new ChaosInjector({ rate: 0.5, seed: 2 });
    const pattern = (injector: ChaosInjector, attempt: number) =>
      keys.slice(0, 200).map((key) => injector.decide(key, attempt, '') !== undefined);
    expect(pattern(one, 1)).not.toEqual(pattern(two, 1));
    expect(pattern(one, 1)).not.toEqual(pattern(one, 2));
  });

  it.each([0.05, 0.2, 0.5])('faults a share close to rate %s over 10,000 keys', (rate) => {
    const injector = new ChaosInjector({ rate, seed: 7 });
    const faulted = keys.filter((key) => injector.decide(key, 1, '') !== undefined).length;
    // Four standard deviations of a binomial count.
    const tolerance = 4 * Math.sqrt(keys.length * rate * (1 - rate));
    expect(Math.abs(faulted - rate * keys.length)).toBeLessThan(tolerance);
  });

  it('never faults at rate 0 and always at rate 1', () => {
    expect(keys.some((key) => new ChaosInjector({ rate: 0, seed: 3 }).decide(key, 1, '') !== undefined)).toBe(
      false,
    );
    const always = new ChaosInjector({ rate: 1, seed: 3 });
    expect(keys.slice(0, 1000).every((key) => always.decide(key, 1, '') !== undefined)).toBe(true);
  });

  it('uses the request fingerprint when there is no idempotency key', () => {
    const injector = new ChaosInjector({ rate: 0.5, seed: 9 });
    const byFingerprint = keys.slice(0, 200).map((fingerprint) => injector.decide(undefined, 1, fingerprint));
    expect(keys.slice(0, 200).map((fingerprint) => injector.decide(undefined, 1, fingerprint))).toEqual(
      byFingerprint,
    );
    expect(new Set(byFingerprint.map((fault) => fault === undefined)).size).toBe(2);
  });

  it('picks every default kind, with small valid parameters', () => {
    const injector = new ChaosInjector({ rate: 1, seed: 11 });
    const faults = keys.slice(0, 2000).map((key) => injector.decide(key, 1, '') as FaultDirective);
    expect(new Set(faults.map((fault) => fault.kind))).toEqual(
      new Set(['status', 'reset', 'drop_after', 'malformed_after', 'stall_after']),
    );
    for (const fault of faults) {
      expect(fault.times).toBeUndefined();
      if (fault.kind === 'status') {
        expect([429, 503]).toContain(fault.status);
        if (fault.status === 429) expect(fault.retryAfterMs).toBeGreaterThanOrEqual(5);
        if (fault.status === 429) expect(fault.retryAfterMs).toBeLessThan(25);
        else expect(fault.retryAfterMs).toBeUndefined();
      }
      if (fault.kind === 'drop_after' || fault.kind === 'malformed_after' || fault.kind === 'stall_after') {
        expect(fault.events).toBeGreaterThanOrEqual(1);
        expect(fault.events).toBeLessThanOrEqual(8);
      }
    }
    const statuses = new Set(faults.flatMap((fault) => (fault.kind === 'status' ? [fault.status] : [])));
    expect(statuses).toEqual(new Set([429, 503]));
  });

  it('restricts itself to the kinds and statuses asked for', () => {
    const injector = new ChaosInjector({ rate: 1, seed: 5, kinds: ['status', 'delay_ms'], statuses: [500] });
    const faults = keys.slice(0, 300).map((key) => injector.decide(key, 1, '') as FaultDirective);
    expect(new Set(faults.map((fault) => fault.kind))).toEqual(new Set(['status', 'delay_ms']));
    for (const fault of faults) {
      if (fault.kind === 'status') expect(fault.status).toBe(500);
      if (fault.kind === 'delay_ms') expect(fault.milliseconds).toBeGreaterThanOrEqual(10);
    }
  });

  it('rejects impossible options', () => {
    expect(() => new ChaosInjector({ rate: 1.5, seed: 1 })).toThrow(/rate/);
    expect(() => new ChaosInjector({ rate: Number.NaN, seed: 1 })).toThrow(/rate/);
    expect(() => new ChaosInjector({ rate: 0.1, seed: 1.5 })).toThrow(/seed/);
    expect(() => new ChaosInjector({ rate: 0.1, seed: 1, kinds: [] })).toThrow(/kinds/);
    expect(() => new ChaosInjector({ rate: 0.1, seed: 1, statuses: [200] })).toThrow(/statuses/);
  });
});
