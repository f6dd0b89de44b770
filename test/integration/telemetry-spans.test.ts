import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chat } from '../../src/builders/chat-builder.js';
import { AiaasClient } from '../../src/client/aiaas-client.js';
import { PriceCatalog } from '../../src/cost/price-catalog.js';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { createTelemetryMiddleware, type TelemetryMiddleware } from '../../src/telemetry/index.js';
import { fault, faultHeaders } from '../../src/testing/index.js';
import { type DialectTestServer, sendJson, startDialectTestServer } from '../support/dialect-test-server.js';
import { sendFixture } from '../support/fixture-files.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('telemetry-test');

let server: ReferenceServer;
let local: DialectTestServer;
let telemetry: TelemetryMiddleware;
let client: AiaasClient;
const apiKey = 'sk-telemetry';
// Every model at one price (a declared fallback), so unknown models still reach the server.
const pricing = PriceCatalog.fromObject(
  {
    currency: 'USD',
    cards: [
      {
        id: 'ref-chat',
        prices: [{ effectiveFrom: '2024-01-01', inputPerMillionTokens: '1.50', outputPerMillionTokens: '6' }],
      },
    ],
  },
  { fallback: { card: 'ref-chat' } },
);

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 42, apiKeys: [apiKey], logger: silentServerLogger });
  local = await startDialectTestServer();
  telemetry = createTelemetryMiddleware({ tracer });
  client = new AiaasClient({
    baseURL: server.url,
    apiKey,
    maxRetries: 0,
    logLevel: 'off',
    pricing,
    middleware: [telemetry],
  });
});
afterAll(async () => {
  await client.close();
  await server.close();
  await local.close();
});
afterEach(() => exporter.reset());

const finished = () => exporter.getFinishedSpans();
const byName = (name: string) => finished().filter((span) => span.name === name);

async function tokenCount(messages: { role: string; content: string }[]): Promise<number> {
  const response = await fetch(`${server.url}/tokenize`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'ref-chat', messages }),
  });
  return ((await response.json()) as { count: number }).count;
}

describe('telemetry middleware: one span per attempt', () => {
  it('traces a chat completion with the GenAI attributes read from the response', async () => {
    const messages = [{ role: 'user' as const, content: 'How are jobs?' }];
    const completion = await client.chat.completions.create({
      model: 'ref-chat',
      messages,
      max_tokens: 5,
      seed: 1,
    });
    const [span] = finished();
    expect(finished()).toHaveLength(1);
    expect(span!.name).toBe('chat ref-chat');
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(span!.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'ref-chat',
      'gen_ai.request.max_tokens': 5,
      'gen_ai.request.seed': 1,
      'gen_ai.response.model': 'ref-chat',
      'gen_ai.response.id': completion.id,
      'gen_ai.response.finish_reasons': ['length'],
      'gen_ai.usage.input_tokens': await tokenCount(messages),
      'gen_ai.usage.output_tokens': 5,
      'aiaas.attempt': 1,
      'server.address': '127.0.0.1',
      'server.port': server.port,
      'http.response.status_code': 200,
    });
  });

  it('ends a stream span when the stream ends, with the usage of its final chunk', async () => {
    const stream = await client.chat.completions.stream(chat('ref-chat').user('health care').maxTokens(7));
    expect(finished()).toHaveLength(0);
    const final = await stream.final();
    const [span] = byName('chat ref-chat');
    expect(span!.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': final.usage.tokens.prompt_tokens,
      'gen_ai.usage.output_tokens': final.usage.tokens.completion_tokens,
      'gen_ai.response.finish_reasons': [final.choices[0]!.finishReason],
    });
    expect(span!.attributes).not.toHaveProperty('aiaas.response.cancelled');
  });

  it('marks a stream the caller abandoned', async () => {
    // Events 20 ms apart, so the whole answer cannot already be in the first chunk read.
    const stream = await client.chat.completions.stream(chat('ref-chat').user('the economy').maxTokens(64), {
      headers: faultHeaders(fault.chunkDelay(20)),
    });
    for await (const event of stream) if (event.type === 'text-delta') break;
    await expect.poll(() => byName('chat ref-chat').length).toBe(1);
    expect(byName('chat ref-chat')[0]!.attributes['aiaas.response.cancelled']).toBe(true);
  });

  it('keeps the attempt number on a stream resume and says where it resumed from', async () => {
    const stream = await client.chat.completions.stream(chat('ref-chat').user('jobs').maxTokens(8), {
      headers: faultHeaders(fault.dropAfter(3, { times: 1 })),
    });
    const final = await stream.final();
    expect(final.resumed).toBe(1);
    const [cut, resumed] = byName('chat ref-chat');
    expect(cut!.attributes['aiaas.attempt']).toBe(1);
    expect(cut!.status.code).toBe(SpanStatusCode.ERROR);
    expect(resumed!.attributes).toMatchObject({
      'aiaas.attempt': 1,
      'aiaas.stream.resume_from_event_id': '3',
      'gen_ai.usage.output_tokens': 8,
    });
  });

  it('traces embeddings with input tokens only, and leaves non-model requests alone', async () => {
    const result = await client.embeddings.create({ model: 'ref-embed', input: ['jobs', 'health care'] });
    await client.models.list();
    expect(finished().map((span) => span.name)).toEqual(['embeddings ref-embed']);
    expect(finished()[0]!.attributes['gen_ai.usage.input_tokens']).toBe(result.usage.prompt_tokens);
    expect(finished()[0]!.attributes).not.toHaveProperty('gen_ai.usage.output_tokens');
  });

  it('records an error status as error.type on the span', async () => {
    await expect(client.chat.completions.create(chat('no-such-model').user('hi'))).rejects.toThrow();
    const [span] = byName('chat no-such-model');
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes).toMatchObject({ 'error.type': '404', 'http.response.status_code': 404 });
  });

  it('numbers the attempts of a retried call, and traces Ollama NDJSON usage', async () => {
    let calls = 0;
    local.route('POST', '/api/chat', (_request, response) => {
      calls += 1;
      return calls === 1
        ? sendJson(response, 503, { error: 'model is loading' }, { 'retry-after': '0' })
        : sendFixture(response, 'ollama/chat-stream.ndjson');
    });
    const ollama = new AiaasClient({
      provider: 'ollama',
      baseURL: local.url,
      maxRetries: 1,
      logLevel: 'off',
      middleware: [telemetry],
    });
    const stream = await ollama.chat.completions.stream({
      model: 'llama3.2:3b',
      messages: [{ role: 'user', content: 'jobs?' }],
    });
    await stream.final();
    await ollama.close();
    const spans = byName('chat llama3.2:3b');
    expect(spans.map((span) => span.attributes['aiaas.attempt'])).toEqual([1, 2]);
    expect(spans[0]!.attributes).toMatchObject({ 'error.type': '503', 'gen_ai.system': 'ollama' });
    expect(spans[1]!.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 29,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.response.finish_reasons': ['stop'],
    });
  });
});

describe('telemetry call spans (the client hook `startCall`)', () => {
  it('parents the attempt spans and carries the ledger usage and the exact cost', async () => {
    const idempotencyKey = 'call-span-test-1';
    const scope = telemetry.startCall({
      operation: 'chat.completions.create',
      model: 'ref-chat',
      provider: 'openai',
      idempotencyKey,
    });
    const request = chat('ref-chat').user('jobs and health care').maxTokens(6);
    const { usage, cost, attempts } = await client.chat.completions
      .create(request, { idempotencyKey })
      .withResponse();
    scope.recorded({ attempt: attempts, usage: usage!, cost, status: 'ok' });
    await scope.end();
    const [attempt, call] = finished() as [ReadableSpan, ReadableSpan];
    expect(call.attributes).toMatchObject({
      'aiaas.operation': 'chat.completions.create',
      'gen_ai.usage.input_tokens': usage!.inputTokens.value,
      'gen_ai.usage.output_tokens': 6,
      'gen_ai.response.finish_reasons': ['length'],
      'aiaas.cost': cost!.toDecimalString(),
      'aiaas.cost.currency': 'USD',
      'aiaas.attempts': 1,
    });
    expect(cost!.isZero()).toBe(false);
    expect(attempt.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(attempt.spanContext().traceId).toBe(call.spanContext().traceId);
  });

  it('gets the call span from the client option `telemetry`, with usage and cost from the ledger', async () => {
    const traced = new AiaasClient({
      baseURL: server.url,
      apiKey,
      maxRetries: 0,
      logLevel: 'off',
      pricing,
      telemetry: createTelemetryMiddleware({ tracer }),
    });
    try {
      const { usage, cost } = await traced.chat.completions
        .create(chat('ref-chat').user('jobs and health care').maxTokens(6))
        .withResponse();
      // The call span ends asynchronously once its ledger record is in.
      await expect.poll(() => finished().length).toBe(2);
      const call = finished().find((span) => span.attributes['aiaas.operation'] !== undefined);
      const attempt = finished().find((span) => span !== call);
      expect(call!.attributes).toMatchObject({
        'aiaas.operation': 'chat.completions.create',
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'ref-chat',
        'gen_ai.usage.input_tokens': usage!.inputTokens.value,
        'gen_ai.usage.output_tokens': 6,
        'aiaas.cost': cost!.toDecimalString(),
        'aiaas.cost.currency': 'USD',
        'aiaas.attempts': 1,
      });
      expect(cost!.isZero()).toBe(false);
      expect(attempt!.parentSpanContext?.spanId).toBe(call!.spanContext().spanId);
      exporter.reset();

      const stream = await traced.chat.completions.stream(chat('ref-chat').user('the economy').maxTokens(5));
      const final = await stream.final();
      await expect.poll(() => finished().length).toBe(2);
      const streamCall = finished().find((span) => span.attributes['aiaas.operation'] !== undefined);
      expect(streamCall!.attributes).toMatchObject({
        'aiaas.operation': 'chat.completions.stream',
        'gen_ai.usage.input_tokens': final.usage.tokens.prompt_tokens,
        'gen_ai.usage.output_tokens': final.usage.tokens.completion_tokens,
        'aiaas.cost': final.cost!.toDecimalString(),
      });
      expect(streamCall!.status.code).toBe(SpanStatusCode.UNSET);
      exporter.reset();

      // The fallback price lets an unknown model through to the server; its 404 fails the call span.
      await expect(traced.chat.completions.create(chat('no-such-model').user('hi'))).rejects.toThrow();
      await expect.poll(() => finished().length).toBe(2);
      const failed = finished().find((span) => span.attributes['aiaas.operation'] !== undefined);
      expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
      expect(failed!.attributes).not.toHaveProperty('aiaas.cost');
    } finally {
      await traced.close();
    }
  });

  it('uses the global tracer provider when no tracer is given', async () => {
    trace.setGlobalTracerProvider(provider);
    try {
      const globalClient = new AiaasClient({
        baseURL: server.url,
        apiKey,
        maxRetries: 0,
        logLevel: 'off',
        middleware: [createTelemetryMiddleware()],
      });
      await globalClient.embeddings.create({ model: 'ref-embed', input: 'jobs' });
      await globalClient.close();
      expect(finished()[0]!.instrumentationScope.name).toBe('aiaas');
    } finally {
      trace.disable();
    }
  });
});
