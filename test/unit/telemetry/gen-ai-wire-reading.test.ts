import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeGenAiRequest } from '../../../src/telemetry/gen-ai-request.js';
import { GenAiResponseReader } from '../../../src/telemetry/gen-ai-response-reader.js';
import type { TransportRequest } from '../../../src/transport/transport-types.js';

const request = (method: TransportRequest['method'], url: string, body?: unknown): TransportRequest => ({
  method,
  url,
  headers: {},
  body,
  signal: new AbortController().signal,
});

describe('describeGenAiRequest', () => {
  it('names the operation, system, model and framing of each model-running endpoint', () => {
    expect(
      describeGenAiRequest(
        request('POST', 'https://gateway.example/openai/v1/chat/completions', {
          model: 'gpt-4o',
          stream: true,
          max_completion_tokens: 64,
          temperature: 0.2,
        }),
      ),
    ).toEqual({
      operation: 'chat',
      system: 'openai',
      model: 'gpt-4o',
      format: 'sse',
      attributes: { 'gen_ai.request.max_tokens': 64, 'gen_ai.request.temperature': 0.2 },
    });
    expect(describeGenAiRequest(request('POST', 'http://h/v1/completions', { model: 'm' }))).toMatchObject({
      operation: 'text_completion',
      format: 'json',
    });
    expect(
      describeGenAiRequest(
        request('POST', 'http://h/api/chat', { model: 'llama3.2', options: { num_predict: 9, seed: 3 } }),
      ),
    ).toMatchObject({
      system: 'ollama',
      format: 'ndjson',
      attributes: { 'gen_ai.request.max_tokens': 9, 'gen_ai.request.seed': 3 },
    });
    expect(
      describeGenAiRequest(request('POST', 'http://h/api/embed', { model: 'e', stream: false })),
    ).toMatchObject({
      operation: 'embeddings',
      format: 'json',
    });
    expect(
      describeGenAiRequest(request('POST', 'http://h/v2/models/team%2Fclassifier/versions/3/infer', {})),
    ).toMatchObject({
      operation: 'infer',
      system: 'oip',
      model: 'team/classifier',
    });
  });

  it('leaves requests that run no model alone', () => {
    expect(describeGenAiRequest(request('GET', 'http://h/v1/models'))).toBeUndefined();
    expect(describeGenAiRequest(request('POST', 'http://h/tokenize', { prompt: 'x' }))).toBeUndefined();
    expect(describeGenAiRequest(request('POST', 'http://h/v2/repository/index', {}))).toBeUndefined();
  });
});

const encoder = new TextEncoder();

describe('GenAiResponseReader', () => {
  it('reads usage and per-choice finish reasons from SSE split anywhere', () => {
    const transcript = [
      'data: {"id":"c1","model":"m","choices":[{"index":1,"delta":{"content":"b"},"finish_reason":"length"}]}\n\n',
      'data: {"id":"c1","model":"m","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":"stop"}]}\n\n',
      'data: {"id":"c1","model":"m","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2}}\n\n',
      'data: [DONE]\n\n',
    ].join('');
    const bytes = encoder.encode(transcript);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 8 }), (cuts) => {
        const reader = new GenAiResponseReader('sse');
        const points = [0, ...[...new Set(cuts)].sort((left, right) => left - right), bytes.length];
        for (let index = 1; index < points.length; index += 1) {
          reader.push(bytes.subarray(points[index - 1], points[index]));
        }
        expect(reader.terminal).toBe(true);
        expect(reader.summary()).toEqual({
          responseId: 'c1',
          responseModel: 'm',
          inputTokens: 4,
          outputTokens: 2,
          finishReasons: ['stop', 'length'],
        });
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it('never throws on bytes it cannot read, in any framing', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('json' as const, 'sse' as const, 'ndjson' as const),
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 6 }),
        (format, chunks) => {
          const reader = new GenAiResponseReader(format);
          for (const chunk of chunks) reader.push(chunk);
          expect(reader.summary().finishReasons).toBeInstanceOf(Array);
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });
});
