import { createOpenAICompatible, type OpenAICompatibleProvider } from '@ai-sdk/openai-compatible';
import { generateObject, streamObject } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';

// The Vercel AI SDK's object generation against aiaas/server: with structured outputs declared,
// it sends response_format json_schema, and ref-chat's constrained decoding answers a valid object.

let server: ReferenceServer;
let provider: OpenAICompatibleProvider;
const apiKey = 'sk-conformance-vercel-structured';

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, seed: 42, apiKeys: [apiKey], logger: silentServerLogger });
  provider = createOpenAICompatible({
    name: 'aiaas',
    baseURL: `${server.url}/v1`,
    apiKey,
    includeUsage: true,
    supportsStructuredOutputs: true,
  });
});
afterAll(() => server.close());

const Bill = z.object({
  title: z.string().max(40),
  sponsor: z.string().max(20),
  year: z.int(),
  passed: z.boolean(),
  topics: z.array(z.enum(['tax', 'health', 'jobs'])).max(3),
});

describe('the Vercel AI SDK generating objects from aiaas/server', () => {
  it('generateObject returns an object of the zod schema, with usage', async () => {
    const result = await generateObject({
      model: provider.chatModel('ref-chat'),
      schema: Bill,
      prompt: 'Describe a bill before Congress.',
      maxOutputTokens: 200,
      seed: 5,
      maxRetries: 0,
    });
    expect(Bill.parse(result.object)).toEqual(result.object);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
  });

  it('streamObject streams partial objects and ends with an object of the schema', async () => {
    const result = streamObject({
      model: provider.chatModel('ref-chat'),
      schema: Bill,
      prompt: 'Describe a bill before Congress.',
      maxOutputTokens: 200,
      seed: 6,
      maxRetries: 0,
    });
    let partials = 0;
    for await (const _partial of result.partialObjectStream) partials++;
    const object = await result.object;
    expect(partials).toBeGreaterThan(1);
    expect(Bill.parse(object)).toEqual(object);
  });
});
