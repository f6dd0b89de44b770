import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StreamError } from '../../src/errors/index.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { recordFromServer } from './support/recorded-streams.js';
import { bodyOf, expectTypedReading, readStream, splitAt, textOf } from './support/stream-bodies.js';

// Extends test/unit/streaming/resumable-stream.test.ts (breaks at fixed events): here breaks at
// random bytes, several per stream, servers that repeat events, and hostile reconnections.
const encoder = new TextEncoder();
let server: ReferenceServer;
let recorded: Uint8Array;
beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 11, logger: silentServerLogger });
  recorded = await recordFromServer(server, '/v1/chat/completions', {
    model: 'ref-chat',
    messages: [{ role: 'user', content: 'Tell me about jobs' }],
    max_tokens: 20,
    n: 2,
  });
});
afterAll(() => server.close());

describe('broken streams resumed at random points', () => {
  it('end with the unbroken text, or a StreamError whose partial is a prefix of it (property)', async () => {
    const full = await readStream(bodyOf([recorded]), 'sse');
    const events = new TextDecoder().decode(recorded).split(/(?<=\n\n)/);
    expect(events.length).toBeGreaterThan(10);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 3 }),
        async (breaks, offsets, overlap, maxResumes) => {
          let connection = 0;
          // Each connection breaks at its own random byte; the server replays from Last-Event-ID,
          // `overlap` events early (a repeat the client must drop).
          const serve = (data: Uint8Array) => {
            const cut = breaks[connection++];
            const sent = cut === undefined ? data : data.subarray(0, cut % (data.length + 1));
            return bodyOf(
              splitAt(sent, offsets),
              cut === undefined ? undefined : { thrown: new TypeError('terminated') },
            );
          };
          const reconnect = async (lastEventId: string) =>
            serve(encoder.encode(events.slice(Math.max(0, Number(lastEventId) - overlap)).join('')));
          const reading = await readStream(serve(recorded), 'sse', { reconnect, maxResumes });
          expectTypedReading(reading);
          for (const choice of [0, 1]) {
            const expected = textOf(full.events, choice);
            if (reading.error === undefined) expect(textOf(reading.events, choice)).toBe(expected);
            else expect(expected.startsWith(textOf(reading.events, choice))).toBe(true);
          }
          if (reading.error !== undefined) expect(reading.error).toBeInstanceOf(StreamError);
        },
      ),
      { numRuns: 300, seed: 404 },
    );
  });

  it('fail typed when the reconnection answers garbage or throws anything (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ body: bytes })),
          fc
            .oneof(fc.string(), fc.constant(null), fc.constant(new Error('refused')))
            .map((thrown) => ({ thrown })),
        ),
        async (cut, answer) => {
          const reconnect = async () => {
            if ('thrown' in answer) throw answer.thrown;
            return bodyOf([answer.body]);
          };
          const at = cut % (recorded.length + 1);
          const body = bodyOf([recorded.subarray(0, at)], { thrown: new TypeError('terminated') });
          expectTypedReading(await readStream(body, 'sse', { reconnect, maxResumes: 2 }));
        },
      ),
      { numRuns: 200, seed: 505 },
    );
  });
});
