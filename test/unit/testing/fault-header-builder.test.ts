import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FaultDirective } from '../../../src/server/faults/fault-directive.js';
import { FaultHeaderError, parseFaultHeader } from '../../../src/server/faults/fault-header-parser.js';
import {
  type FaultDirectiveText,
  fault,
  faultHeader,
  faultHeaders,
} from '../../../src/testing/fault-header-builder.js';

describe('fault directive builders', () => {
  it('write the documented header syntax', () => {
    expect(faultHeader(fault.status(429, { retryAfterMs: 50, times: 2 }))).toBe(
      'status=429;retry_after_ms=50;times=2',
    );
    expect(faultHeader(fault.status(503, { shouldRetry: false }))).toBe('status=503;should_retry=false');
    expect(faultHeader(fault.reset(), fault.delay(200), fault.dropAfter(5))).toBe(
      'reset, delay_ms=200, drop_after=5',
    );
    expect(faultHeaders(fault.malformedAfter(3, { times: 1 }), fault.chunkDelay(100))).toEqual({
      'x-aiaas-fault': 'malformed_after=3;times=1, chunk_delay_ms=100',
    });
    expect(faultHeader()).toBe('');
  });

  it("reject what the server's parser rejects, before any request", () => {
    expect(() => faultHeader(fault.status(200))).toThrow(FaultHeaderError);
    expect(() => faultHeader(fault.delay(1.5))).toThrow(/non-negative integer/);
    expect(() => faultHeader(fault.dropAfter(-1))).toThrow(FaultHeaderError);
    expect(() => faultHeader(fault.reset({ times: 0 }))).toThrow(/times must be within 1\.\./);
    expect(() => faultHeader(fault.delay(10), fault.delay(20))).toThrow(/given more than once/);
  });
});

type Case = { built: FaultDirectiveText; parsed: FaultDirective };

const times = fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: undefined });
const withTimes = <Directive extends FaultDirective>(directive: Directive, count: number | undefined) =>
  count === undefined ? directive : { ...directive, times: count };

const caseArbitrary: fc.Arbitrary<Case> = fc.oneof(
  fc
    .record({
      status: fc.integer({ min: 400, max: 599 }),
      retryAfterMs: fc.option(fc.integer({ min: 0, max: 3_600_000 }), { nil: undefined }),
      shouldRetry: fc.option(fc.boolean(), { nil: undefined }),
      times,
    })
    .map(({ status, retryAfterMs, shouldRetry, times: count }) => ({
      built: fault.status(status, { retryAfterMs, shouldRetry, times: count }),
      parsed: withTimes(
        {
          kind: 'status' as const,
          status,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
          ...(shouldRetry === undefined ? {} : { shouldRetry }),
        },
        count,
      ),
    })),
  times.map((count) => ({
    built: fault.reset({ times: count }),
    parsed: withTimes({ kind: 'reset' as const }, count),
  })),
  fc.tuple(fc.integer({ min: 0, max: 300_000 }), times).map(([milliseconds, count]) => ({
    built: fault.delay(milliseconds, { times: count }),
    parsed: withTimes({ kind: 'delay_ms' as const, milliseconds }, count),
  })),
  fc.tuple(fc.integer({ min: 0, max: 60_000 }), times).map(([milliseconds, count]) => ({
    built: fault.chunkDelay(milliseconds, { times: count }),
    parsed: withTimes({ kind: 'chunk_delay_ms' as const, milliseconds }, count),
  })),
  ...(
    [
      ['drop_after', fault.dropAfter],
      ['malformed_after', fault.malformedAfter],
      ['stall_after', fault.stallAfter],
    ] as const
  ).map(([kind, build]) =>
    fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), times).map(([events, count]) => ({
      built: build(events, { times: count }),
      parsed: withTimes({ kind, events }, count),
    })),
  ),
);

describe('faultHeader round-trips through the server parser', () => {
  it('parses back to exactly the directives built, in order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(caseArbitrary, { maxLength: 7, selector: (each) => each.built.kind }),
        (cases) => {
          const header = faultHeader(...cases.map((each) => each.built));
          expect(parseFaultHeader(header).directives).toEqual(cases.map((each) => each.parsed));
        },
      ),
      { seed: 20_241_201, numRuns: 300 },
    );
  });
});
