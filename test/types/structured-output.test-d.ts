import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { type AiaasClient, chat, type RunToolsResult, tool, zodResponseFormat } from '../../src/index.js';

declare const client: AiaasClient;
const Citizen = z.object({ name: z.string(), age: z.int(), state: z.enum(['Ohio', 'Texas']) });
type Citizen = z.infer<typeof Citizen>;

describe('structured output types', () => {
  it('parse() types message.parsed from a builder or from zodResponseFormat params', async () => {
    const fromBuilder = await client.chat.completions.parse(
      chat('ref-chat').user('hi').responseFormat(Citizen),
    );
    expectTypeOf(fromBuilder.choices[0]!.message.parsed).toEqualTypeOf<Citizen | null>();
    const fromParams = await client.chat.completions.parse({
      model: 'ref-chat',
      messages: [{ role: 'user', content: 'hi' }],
      response_format: zodResponseFormat(Citizen),
    });
    expectTypeOf(fromParams.choices[0]!.message.parsed).toEqualTypeOf<Citizen | null>();
  });

  it('a stream of a zod response format has a typed final().parsed', async () => {
    const stream = await client.chat.completions.stream(chat('ref-chat').user('hi').responseFormat(Citizen));
    expectTypeOf((await stream.final()).parsed).toEqualTypeOf<Citizen | null | undefined>();
  });

  it('tool() types execute arguments from the zod parameters, and runTools() returns its steps', () => {
    tool({
      name: 'lookup',
      parameters: Citizen,
      execute: (args) => {
        expectTypeOf(args).toEqualTypeOf<Citizen>();
        return args.name;
      },
    });
    expectTypeOf(client.chat.completions.runTools).returns.toEqualTypeOf<Promise<RunToolsResult>>();
  });
});
