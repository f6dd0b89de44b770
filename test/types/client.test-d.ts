import { describe, expectTypeOf, it } from 'vitest';
import {
  type AiaasClient,
  type APIPromise,
  type ChatCompletion,
  type ChatCompletionRequest,
  type Completion,
  chat,
  type DecodedTensor,
  type EmbeddingResult,
  type InferResult,
  type Model,
  type ModelList,
  type ModelMetadata,
  type ResponseInfo,
  type ServerMetadata,
  type TensorInput,
  type TokenizeResponse,
  tensor,
} from '../../src/index.js';

declare const client: AiaasClient;

describe('inferred result types', () => {
  it('chat.completions.create returns an APIPromise of ChatCompletion, for params and builders', () => {
    expectTypeOf(client.chat.completions.create(chat('ref-chat').user('hi'))).toEqualTypeOf<
      APIPromise<ChatCompletion>
    >();
    expectTypeOf(client.chat.completions.create)
      .parameter(0)
      .toExtend<ChatCompletionRequest | ReturnType<typeof chat>>();
    expectTypeOf<
      Awaited<ReturnType<typeof client.chat.completions.create>>
    >().toEqualTypeOf<ChatCompletion>();
    expectTypeOf<ChatCompletion['choices'][number]['message']['content']>().toEqualTypeOf<string | null>();
    expectTypeOf<NonNullable<ChatCompletion['usage']>['prompt_tokens']>().toEqualTypeOf<number>();
  });

  it('withResponse gives the data and the response info', async () => {
    const { data, response } = await client.models.list().withResponse();
    expectTypeOf(data).toEqualTypeOf<ModelList>();
    expectTypeOf(response).toEqualTypeOf<ResponseInfo>();
    expectTypeOf(response.requestId).toEqualTypeOf<string | undefined>();
  });

  it('every resource has its result type', () => {
    expectTypeOf(client.models.retrieve('m')).resolves.toEqualTypeOf<Model>();
    expectTypeOf(client.completions.create({ model: 'm', prompt: 'x' })).resolves.toEqualTypeOf<Completion>();
    expectTypeOf(
      client.embeddings.create({ model: 'e', input: 'x' }),
    ).resolves.toEqualTypeOf<EmbeddingResult>();
    expectTypeOf<EmbeddingResult['data'][number]['embedding']>().toEqualTypeOf<Float32Array>();
    expectTypeOf(client.tokenize({ prompt: 'x' })).resolves.toEqualTypeOf<TokenizeResponse>();
    expectTypeOf(client.inference.serverMetadata()).resolves.toEqualTypeOf<ServerMetadata>();
    expectTypeOf(client.inference.modelMetadata('m')).resolves.toEqualTypeOf<ModelMetadata>();
    expectTypeOf(client.inference.ready('m')).resolves.toEqualTypeOf<boolean>();
    expectTypeOf(client.inference.infer('m', [])).resolves.toEqualTypeOf<InferResult>();
  });

  it('the chat builder builds ChatCompletionRequest', () => {
    expectTypeOf(chat('m').user('x').temperature(0).build()).toEqualTypeOf<ChatCompletionRequest>();
    // @ts-expect-error temperature takes a number
    chat('m').temperature('hot');
  });
});

describe('tensors', () => {
  it('tensor() knows the datatype from the typed array', () => {
    expectTypeOf(tensor('x', new Float32Array(2))).toEqualTypeOf<TensorInput<'FP32'>>();
    expectTypeOf(tensor('x', new Float64Array(2)).datatype).toEqualTypeOf<'FP64'>();
    expectTypeOf(tensor('x', new BigInt64Array(2)).datatype).toEqualTypeOf<'INT64'>();
    expectTypeOf(tensor('x', new BigUint64Array(2)).datatype).toEqualTypeOf<'UINT64'>();
    expectTypeOf(tensor('x', new Int32Array(2)).datatype).toEqualTypeOf<'INT32'>();
    expectTypeOf(tensor('x', new Uint8Array(2)).datatype).toEqualTypeOf<'UINT8'>();
    expectTypeOf(tensor('x', [true, false]).datatype).toEqualTypeOf<'BOOL'>();
    expectTypeOf(tensor('x', ['a']).datatype).toEqualTypeOf<'BYTES'>();
    // @ts-expect-error numbers need a typed array
    tensor('x', [1, 2, 3]);
  });

  it('decoded outputs narrow their data by datatype', () => {
    const output = {} as DecodedTensor;
    if (output.datatype === 'FP32') expectTypeOf(output.data).toEqualTypeOf<Float32Array>();
    if (output.datatype === 'INT64') expectTypeOf(output.data).toEqualTypeOf<BigInt64Array>();
    if (output.datatype === 'BYTES') expectTypeOf(output.data).toEqualTypeOf<string[]>();
    if (output.datatype === 'BOOL') expectTypeOf(output.data).toEqualTypeOf<boolean[]>();
    expectTypeOf<InferResult['outputs']>().toEqualTypeOf<DecodedTensor[]>();
  });
});
