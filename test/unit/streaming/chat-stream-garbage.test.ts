import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AiaasError } from '../../../src/errors/index.js';
import { createChatStream } from '../../../src/streaming/index.js';
import { bytes, chatChunk, REPORTED_USAGE, sseEvent } from './stream-fixtures.js';

// Pieces a hostile or broken server might send, mixed with valid ones.
const SSE_PIECES = [
  sseEvent(1, chatChunk([{ content: 'ok' }])),
  sseEvent(2, chatChunk([{ index: 3, content: 'é', finishReason: 'stop' }], REPORTED_USAGE)),
  sseEvent(3, '[DONE]'),
  sseEvent(4, '{"error":{"message":"bad","code":503}}'),
  sseEvent(5, 'plain text', 'error'),
  sseEvent(6, 'null'),
  sseEvent(7, '42'),
  sseEvent(8, '{"choices":[{"index":-1}]}'),
  sseEvent(
    9,
    '{"id":"x","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":1e9,"delta":{}}]}',
  ),
  'data: {"unterminated": \n\n',
  ': comment\r\n',
  'retry: abc\n',
  '\r\r\n\n',
];

const NDJSON_PIECES = [
  '{"model":"m","created_at":"t","message":{"role":"assistant","content":"a"},"done":false}\n',
  '{"model":"m","created_at":"t","response":"b","done":true,"eval_count":1}\n',
  '{"error":"boom"}\n',
  '[1,2]\n',
  '{"done":"maybe"}\n',
  '\n',
  '{"model":',
];

async function outcome(chunks: Uint8Array[], format: 'sse' | 'ndjson'): Promise<unknown> {
  async function* body() {
    yield* chunks;
  }
  const stream = createChatStream({ body: body(), format }, { estimateTokens: (text) => text.length });
  try {
    for await (const event of stream) expect(typeof event.type).toBe('string');
    const final = await stream.final();
    expect(['reported', 'estimated']).toContain(final.usage.provenance);
    return final;
  } catch (error) {
    return error;
  }
}

function expectTyped(result: unknown): void {
  if (result instanceof Error) expect(AiaasError.isInstance(result), String(result)).toBe(true);
}

describe('garbage in', () => {
  it('random bytes give typed events or a typed error, never another exception (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 48 }), { maxLength: 8 }),
        fc.boolean(),
        async (chunks, sse) => {
          expectTyped(await outcome(chunks, sse ? 'sse' : 'ndjson'));
        },
      ),
      { seed: 17, numRuns: 200 },
    );
  });

  it('valid and broken pieces in any order and any split give typed results (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...SSE_PIECES), { maxLength: 8 }),
        fc.array(fc.constantFrom(...NDJSON_PIECES), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (ssePieces, ndjsonPieces, cuts) => {
          for (const [text, format] of [
            [ssePieces.join(''), 'sse'],
            [ndjsonPieces.join(''), 'ndjson'],
          ] as const) {
            const data = bytes(text);
            const offsets = cuts.map((cut) => cut % (data.length + 1)).sort((left, right) => left - right);
            const chunks = [...offsets, data.length].map((cut, index) =>
              data.subarray(offsets[index - 1] ?? 0, cut),
            );
            expectTyped(await outcome(chunks, format));
          }
        },
      ),
      { seed: 23, numRuns: 200 },
    );
  });
});
