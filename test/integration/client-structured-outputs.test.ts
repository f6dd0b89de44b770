import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AiaasClient } from '../../src/client/aiaas-client.js';
import { chat, reconcile, tool, ValidationError, zodResponseFormat } from '../../src/index.js';
import { fetchServerUsage, useTestReferenceServer } from '../support/reference-fixture.js';

// The SDK's structured outputs and tool loop against aiaas/server, whose decoding is constrained
// to the schema: parse() reads typed answers, runTools() runs a real call → execute → answer loop.

const reference = useTestReferenceServer({ pricing: 'server', maxRetries: 0 });
const messages = [{ role: 'user' as const, content: 'Describe a citizen.' }];
const Citizen = z.object({
  name: z.string().max(30),
  age: z.int(),
  voter: z.boolean(),
  state: z.enum(['Ohio', 'Texas']),
  tags: z.array(z.string().max(10)).max(3),
});

let client: AiaasClient;
beforeAll(() => {
  client = reference.client();
});

describe('structured outputs through the SDK', () => {
  it('parses a typed, validated answer from a builder given a zod schema', async () => {
    const completion = await client.chat.completions.parse(
      chat('ref-chat').user('Describe a citizen.').responseFormat(Citizen).maxTokens(200).seed(4),
    );
    const parsed = completion.choices[0]!.message.parsed!;
    expect(Citizen.parse(parsed)).toEqual(parsed);
    expect(['Ohio', 'Texas']).toContain(parsed.state);
  });

  it('parses from params with zodResponseFormat, and a stream has the parsed answer in final()', async () => {
    const params = {
      model: 'ref-chat',
      messages,
      max_tokens: 200,
      seed: 9,
      response_format: zodResponseFormat(Citizen, 'citizen'),
    };
    const completion = await client.chat.completions.parse(params);
    const stream = await client.chat.completions.stream(params);
    const final = await stream.final();
    expect(final.parsed).toEqual(completion.choices[0]!.message.parsed);
    expect(Citizen.safeParse(final.parsed).success).toBe(true);
  });

  it('is quoted and billed like any call: the cost falls within the exact quote', async () => {
    const params = {
      model: 'ref-chat',
      messages,
      max_tokens: 120,
      seed: 2,
      response_format: zodResponseFormat(Citizen),
    };
    const quote = await client.quote(params, { exact: true });
    const { cost } = await client.chat.completions.create(params).withResponse();
    expect(quote.min.compare(cost!)).toBeLessThanOrEqual(0);
    expect(cost!.compare(quote.max)).toBeLessThanOrEqual(0);
  });

  it('throws a ValidationError naming the path when the answer does not match the schema', async () => {
    // The refinement is not in the JSON schema the server sees, so its answer cannot satisfy it.
    const Strict = z.object({
      name: z.string().refine((name) => name.startsWith('zzz'), 'must start with zzz'),
    });
    const error = await client.chat.completions
      .parse(chat('ref-chat').user('hi').responseFormat(Strict).maxTokens(40))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).path).toBe('choices.0.message.content.name');
    expect((error as ValidationError).subject).toBe('response');
  });
});

describe('runTools through the SDK', () => {
  it('completes a two-step tool loop, every step metered, in the ledger and matching /v1/usage', async () => {
    const calls: { city: string; unit: 'c' | 'f' }[] = [];
    const weather = tool({
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: z.object({ city: z.string().max(20), unit: z.enum(['c', 'f']) }),
      execute: (args) => {
        calls.push(args);
        return { temperature: 21, unit: args.unit };
      },
    });
    const {
      completion,
      steps,
      messages: conversation,
    } = await client.chat.completions.runTools(
      { model: 'ref-chat', messages, tools: [weather], tool_choice: 'required', max_tokens: 60, maxSteps: 4 },
      { tags: { flow: 'tools' } },
    );
    expect(steps).toHaveLength(2);
    expect(steps[0]!.choices[0]!.finish_reason).toBe('tool_calls');
    expect(calls).toHaveLength(1);
    expect(conversation.at(-1)).toMatchObject({
      role: 'tool',
      content: JSON.stringify({ temperature: 21, unit: calls[0]!.unit }),
    });
    expect(completion.choices[0]!.message.content).toBeTypeOf('string');

    const entries = await client.ledger.entries({ tags: { flow: 'tools' } });
    expect(entries.map((entry) => entry.usage.outputTokens.value)).toEqual(
      steps.map((step) => step.usage!.completion_tokens),
    );
    const result = reconcile(await client.ledger.entries(), await fetchServerUsage(reference.url));
    expect(result.groups.filter((group) => group.status !== 'matched')).toEqual([]);
    expect(result.zeroDifference).toBe(true);
  });
});
