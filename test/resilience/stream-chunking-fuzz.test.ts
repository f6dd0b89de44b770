import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiaasError } from '../../src/errors/index.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { byteMutation, mutateBytes } from './support/byte-mutations.js';
import { type RecordedStream, recordingArbitrary, recordStreams } from './support/recorded-streams.js';
import { bodyOf, expectTypedReading, readStream, splitAt } from './support/stream-bodies.js';

// Extends test/unit/streaming/chat-stream-garbage.test.ts (random bytes, shuffled pieces) and the
// decoder-level split properties: here whole recorded streams through createChatStream.
let server: ReferenceServer;
let recorded: RecordedStream[] = [];
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 11, logger: silentServerLogger });
  recorded = await recordStreams(server);
});
afterAll(() => server.close());

describe('valid streams, any chunking', () => {
  it('give the same events and final result however the bytes are split (property)', async () => {
    const whole = new Map<string, Awaited<ReturnType<typeof readStream>>>();
    for (const stream of recorded) {
      const reading = await readStream(bodyOf([stream.data]), stream.format);
      expect(reading.error, stream.name).toBeUndefined();
      expect(reading.events.length, stream.name).toBeGreaterThan(3);
      whole.set(stream.name, reading);
    }
    await fc.assert(
      fc.asyncProperty(
        recordingArbitrary(recorded),
        fc.array(fc.nat(), { maxLength: 60 }),
        async (stream, offsets) => {
          const reading = await readStream(bodyOf(splitAt(stream.data, offsets)), stream.format);
          const expected = whole.get(stream.name);
          expect(reading.events).toEqual(expected?.events);
          expect(reading.final).toEqual(expected?.final);
        },
      ),
      { numRuns: 300, seed: 101 },
    );
  });
});

describe('damaged streams', () => {
  it('give typed events and, at worst, a typed error: never another exception (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        recordingArbitrary(recorded),
        fc.array(byteMutation, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (stream, changes, offsets) => {
          const damaged = changes.reduce((data, change) => mutateBytes(data, change), stream.data);
          expectTypedReading(await readStream(bodyOf(splitAt(damaged, offsets)), stream.format));
        },
      ),
      { numRuns: 400, seed: 202 },
    );
  });

  it('turn whatever a body throws (strings, null, plain objects, errors) into a typed error (property)', async () => {
    const thrown = fc.oneof(
      fc.string(),
      fc.constantFrom(null, undefined, 0, { code: 'ECONNRESET' }),
      fc.constantFrom(
        new TypeError('terminated'),
        new RangeError('boom'),
        Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(recordingArbitrary(recorded), fc.nat(), thrown, async (stream, cut, value) => {
        const at = cut % (stream.data.length + 1);
        const reading = await readStream(
          bodyOf([stream.data.subarray(0, at)], { thrown: value }),
          stream.format,
        );
        expectTypedReading(reading);
        if (reading.error === undefined) {
          // Success is only right when no content was lost: every choice had finished (a failure
          // after the end marker, or one that only cost the usage tail).
          const choices = reading.final?.choices ?? [];
          expect(choices.length).toBeGreaterThan(0);
          expect(choices.every((choice) => choice.finishReason !== null)).toBe(true);
        } else {
          expect(AiaasError.isInstance(reading.error)).toBe(true);
        }
      }),
      { numRuns: 200, seed: 303 },
    );
  });
});
