import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiaasError, StreamError } from '../../src/errors/index.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { fixtureText } from '../support/fixture-files.js';
import { recordedChatEvents } from '../unit/streaming/stream-fixtures.js';
import { bodyOf, expectTypedReading, readStream, splitAt, textOf } from './support/stream-bodies.js';

// Extends test/unit/streaming/chat-stream-garbage.test.ts (random bytes, shuffled pieces): here
// real recorded streams, re-chunked, mutated, broken and resumed at random points.
const encoder = new TextEncoder();
let server: ReferenceServer;
const recorded: { name: string; format: 'sse' | 'ndjson'; data: Uint8Array }[] = [];

async function recordFromServer(path: string, body: Record<string, unknown>): Promise<Uint8Array> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
  });
  expect(response.status).toBe(200);
  return new Uint8Array(await response.arrayBuffer());
}

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 11, logger: silentServerLogger });
  const chat = { model: 'ref-chat', messages: [{ role: 'user', content: 'Tell me about jobs' }], max_tokens: 20 };
  recorded.push(
    { name: 'server chat n=2', format: 'sse', data: await recordFromServer('/v1/chat/completions', { ...chat, n: 2 }) },
    {
      name: 'server completion',
      format: 'sse',
      data: await recordFromServer('/v1/completions', { model: 'ref-chat', prompt: 'The economy', max_tokens: 16 }),
    },
    { name: 'multi-byte', format: 'sse', data: encoder.encode(recordedChatEvents(['Grüße ', '日本語 ', '🙂👍🏽', ' ok']).join('').replace(/\n/g, '\r\n')) },
    { name: 'openai fixture', format: 'sse', data: encoder.encode(fixtureText('openai/chat-completion-stream.sse')) },
    { name: 'vllm fixture', format: 'sse', data: encoder.encode(fixtureText('vllm/chat-completion-stream.sse')) },
    { name: 'ollama fixture', format: 'ndjson', data: encoder.encode(fixtureText('ollama/chat-stream.ndjson')) },
  );
});
afterAll(() => server.close());

// A failing case prints the recording's name, not its kilobytes.
const recording = () =>
  fc.constantFrom(...recorded.map((stream) => Object.assign(stream, { [fc.toStringMethod]: () => stream.name })));

describe('valid streams, any chunking', () => {
  it('give the same events and final result however the bytes are split (property)', async () => {
    const whole = new Map<string, Awaited<ReturnType<typeof readStream>>>();
    for (const stream of recorded) {
      const reading = await readStream(bodyOf([stream.data]), stream.format);
      expect(reading.error, stream.name).toBeUndefined();
      whole.set(stream.name, reading);
    }
    await fc.assert(
      fc.asyncProperty(recording(), fc.array(fc.nat(), { maxLength: 60 }), async (stream, offsets) => {
        const reading = await readStream(bodyOf(splitAt(stream.data, offsets)), stream.format);
        const expected = whole.get(stream.name);
        expect(reading.events).toEqual(expected?.events);
        expect(reading.final).toEqual(expected?.final);
      }),
      { numRuns: 300, seed: 101 },
    );
  });
});

/** Byte-level damage a network or a broken proxy can do to a stream. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.constantFrom([0xff], [0xc0, 0x80], [0xe2, 0x82], [0x80], [0x00], [0x0a, 0x0a], [0x0d]) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 200 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
);

type Mutation = typeof mutation extends fc.Arbitrary<infer Value> ? Value : never;

function mutate(data: Uint8Array, change: Mutation): Uint8Array {
  const at = change.at % (data.length + 1);
  const join = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
  switch (change.kind) {
    case 'insert':
      return join(data.subarray(0, at), Uint8Array.from(change.bytes), data.subarray(at));
    case 'delete':
      return join(data.subarray(0, at), data.subarray(at + change.length));
    case 'replace':
      return at === data.length ? data : join(data.subarray(0, at), Uint8Array.of(change.byte), data.subarray(at + 1));
    case 'duplicate':
      return join(data.subarray(0, at + change.length), data.subarray(at));
    case 'truncate':
      return data.subarray(0, at);
  }
}

describe('damaged streams', () => {
  it('give typed events and, at worst, a typed error: never another exception (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        recording(),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (stream, changes, offsets) => {
          const damaged = changes.reduce((data, change) => mutate(data, change), stream.data);
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
      fc.constantFrom(new TypeError('terminated'), new RangeError('boom'), Object.assign(new Error('reset'), { code: 'ECONNRESET' })),
    );
    await fc.assert(
      fc.asyncProperty(recording(), fc.nat(), thrown, async (stream, cut, value) => {
        const at = cut % (stream.data.length + 1);
        const reading = await readStream(bodyOf([stream.data.subarray(0, at)], { thrown: value }), stream.format);
        expectTypedReading(reading);
        if (reading.error === undefined) {
          // Success is only right when nothing of the content was lost: every choice had finished
          // (a failure after the end marker, or one that only cost the usage tail).
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

describe('broken streams resumed at random points', () => {
  it('end with the unbroken text, or a StreamError whose partial is a prefix of it (property)', async () => {
    const stream = recorded[0]!;
    const full = await readStream(bodyOf([stream.data]), 'sse');
    const events = new TextDecoder().decode(stream.data).split(/(?<=\n\n)/);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 3 }),
        async (breaks, offsets, overlap, maxResumes) => {
          let connection = 0;
          // Each connection breaks at its own random byte; the server replays from Last-Event-ID, maybe repeating events.
          const serve = (data: Uint8Array) => {
            const cut = breaks[connection++];
            const chunks = splitAt(cut === undefined ? data : data.subarray(0, cut % (data.length + 1)), offsets);
            return bodyOf(chunks, cut === undefined ? undefined : { thrown: new TypeError('terminated') });
          };
          const reconnect = async (lastEventId: string) =>
            serve(encoder.encode(events.slice(Math.max(0, Number(lastEventId) - overlap)).join('')));
          const reading = await readStream(serve(stream.data), 'sse', { reconnect, maxResumes });
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
    const stream = recorded[0]!;
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ body: bytes })),
          fc.oneof(fc.string(), fc.constant(null), fc.constant(new Error('refused'))).map((thrown) => ({ thrown })),
        ),
        async (cut, answer) => {
          const reconnect = async () => {
            if ('thrown' in answer) throw answer.thrown;
            return bodyOf([answer.body]);
          };
          const at = cut % (stream.data.length + 1);
          const body = bodyOf([stream.data.subarray(0, at)], { thrown: new TypeError('terminated') });
          expectTypedReading(await readStream(body, 'sse', { reconnect, maxResumes: 2 }));
        },
      ),
      { numRuns: 200, seed: 505 },
    );
  });
});
