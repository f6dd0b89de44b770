import { describe, expectTypeOf, it } from 'vitest';
import {
  type AiaasClient,
  type Budget,
  type ChatCompletion,
  type ChatStream,
  type ChatStreamEvent,
  chat,
  type Ledger,
  type MeteredChatStream,
  type MeteredChatStreamFinal,
  type Money,
  type Quote,
  type RetryEvent,
  type RetryPolicy,
  type Usage,
} from '../../src/index.js';

declare const client: AiaasClient;

describe('cost, streaming and retry types on the client', () => {
  it('withResponse carries usage, cost and attempts; the awaited result stays the plain completion', async () => {
    const result = await client.chat.completions.create(chat('ref-chat').user('hi')).withResponse();
    expectTypeOf(result.usage).toEqualTypeOf<Usage | null>();
    expectTypeOf(result.cost).toEqualTypeOf<Money | null>();
    expectTypeOf(result.attempts).toEqualTypeOf<number>();
    const completion = await client.chat.completions.create(chat('ref-chat').user('hi'));
    expectTypeOf(completion).toEqualTypeOf<ChatCompletion>();
  });

  it('stream() resolves to a ChatStream whose final() has the cost', async () => {
    const stream = await client.chat.completions.stream(chat('ref-chat').user('hi'), { idleTimeout: 1_000 });
    expectTypeOf(stream).toEqualTypeOf<MeteredChatStream>();
    expectTypeOf(stream).toExtend<ChatStream>();
    expectTypeOf(stream).toExtend<AsyncIterable<ChatStreamEvent>>();
    const final = await stream.final();
    expectTypeOf(final).toEqualTypeOf<MeteredChatStreamFinal>();
    expectTypeOf(final.cost).toEqualTypeOf<Money | null>();
    expectTypeOf(final.usageBuckets).toEqualTypeOf<Usage>();
    expectTypeOf(
      client.completions.stream({ model: 'm', prompt: 'x' }),
    ).resolves.toEqualTypeOf<MeteredChatStream>();
    // @ts-expect-error stream options are numbers of milliseconds
    client.chat.completions.stream(chat('m').user('x'), { firstTokenTimeout: '1s' });
  });

  it('quote, ledger and budget are typed', () => {
    expectTypeOf(
      client.quote(chat('m').user('x').maxTokens(8), { exact: true }),
    ).resolves.toEqualTypeOf<Quote>();
    expectTypeOf(client.quote({ model: 'm', prompt: 'x', max_tokens: 2 })).resolves.toEqualTypeOf<Quote>();
    expectTypeOf(client.ledger).toEqualTypeOf<Ledger>();
    expectTypeOf(client.budget).toEqualTypeOf<Budget | undefined>();
  });

  it('a retry policy is a replaceable object, per call too', () => {
    const policy: RetryPolicy = { shouldRetry: () => false, delay: () => 0 };
    client.chat.completions.create(chat('m').user('x'), {
      retryPolicy: policy,
      deadline: 5_000,
      onRetry: (event) => expectTypeOf(event).toEqualTypeOf<RetryEvent>(),
      tags: { team: 'search' },
    });
    // @ts-expect-error a policy needs delay too
    client.chat.completions.create(chat('m').user('x'), { retryPolicy: { shouldRetry: () => true } });
  });
});
