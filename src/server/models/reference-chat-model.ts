import { join } from 'node:path';
import { renderChatPrompt } from '../generation/chat-template.js';
import { ChatTokenizer } from '../generation/chat-tokenizer.js';
import type {
  GenerationResult,
  GenerationStep,
  SamplingOptions,
  TemplateMessage,
} from '../generation/model-contracts.js';
import type { UsageMeter } from '../http/usage-meter.js';
import type { InferenceEngine } from '../inference/inference-engine.js';
import type { SequenceDecoder } from '../inference/sequence-decoder.js';
import { builtInModelsDir } from './model-files.js';
import type { ModelRegistry } from './model-registry.js';

/**
 * The longest prompt plus completion the server accepts for ref-chat. The network itself only
 * ever sees its last `contextLength` tokens, so this is a serving limit that keeps one
 * request from occupying the model for long, reported as `max_model_len`.
 */
export const chatMaxModelLength = 4096;

/** Where the chat model reports the tokens it generates (the server's metrics). */
export interface GeneratedTokenSink {
  recordGeneratedTokens(model: string, count: number): void;
}

/**
 * ref-chat as the OpenAI routes use it: its tokenizer, the chat template, and generation,
 * metered on the request.
 *
 * Generation is continuously batched by the engine: each sequence lives next to the model
 * session (in a worker thread) with its own sampling state (`GenerationState`), and every
 * decode step runs the model once for all sequences waiting for a token. Sequences join and
 * leave between steps; ref-chat's rows do not depend on each other, so a seed gives the
 * same text alone or in any batch.
 *
 * @example
 * const chat = await ReferenceChatModel.load(engine, registry);
 * const run = chat.generate(chat.encodeMessages(messages), options, context.meter, context.signal);
 */
export class ReferenceChatModel {
  readonly name: string;
  readonly tokenizer: ChatTokenizer;
  readonly maxModelLength = chatMaxModelLength;
  readonly #decoder: SequenceDecoder;
  readonly #engineKey: string;
  readonly #tokenSink: GeneratedTokenSink | undefined;
  #generating = 0;

  private constructor(
    name: string,
    tokenizer: ChatTokenizer,
    decoder: SequenceDecoder,
    engineKey: string,
    tokenSink: GeneratedTokenSink | undefined,
  ) {
    this.name = name;
    this.tokenizer = tokenizer;
    this.#decoder = decoder;
    this.#engineKey = engineKey;
    this.#tokenSink = tokenSink;
  }

  static async load(
    engine: InferenceEngine & SequenceDecoder,
    registry: ModelRegistry,
    tokenSink?: GeneratedTokenSink,
  ): Promise<ReferenceChatModel> {
    const entry = registry.resolve('ref-chat');
    const modelDirectory = join(builtInModelsDir, 'ref-chat');
    const tokenizer = await ChatTokenizer.load(modelDirectory);
    const input = entry.signature.inputs[0];
    const output = entry.signature.outputs[0];
    if (input?.type !== 'int64' || output?.type !== 'float32') {
      throw new Error('ref-chat must take an int64 context and return float32 logits.');
    }
    await engine.loadDecoder(entry.engineKey, {
      modelDirectory,
      inputName: input.name,
      outputName: output.name,
    });
    return new ReferenceChatModel('ref-chat', tokenizer, engine, entry.engineKey, tokenSink);
  }

  /**
   * A tenant's fine-tune of ref-chat (same graph, same tokenizer, other weights), decoded like
   * ref-chat from the model loaded under `engineKey` on the engine's shared threads.
   */
  static async loadTuned(
    base: ReferenceChatModel,
    name: string,
    engine: InferenceEngine & SequenceDecoder,
    engineKey: string,
    modelPath: string,
  ): Promise<ReferenceChatModel> {
    const signature = await engine.load(engineKey, modelPath);
    await engine.loadDecoder(engineKey, {
      modelDirectory: join(builtInModelsDir, 'ref-chat'),
      inputName: signature.inputs[0]!.name,
      outputName: signature.outputs[0]!.name,
    });
    return new ReferenceChatModel(name, base.tokenizer, engine, engineKey, base.#tokenSink);
  }

  /** The prompt ids of chat messages: the rendered chat template, tokenized (what usage counts). */
  encodeMessages(messages: readonly TemplateMessage[]): number[] {
    return this.tokenizer.encode(renderChatPrompt(messages));
  }

  /**
   * Generates one sequence; deltas add up to the result's text, and the same seed, prompt and
   * options give the same text. Throws the signal's reason when aborted; ending the iteration
   * early frees the sequence.
   */
  async *generate(
    promptIds: readonly number[],
    options: SamplingOptions,
    meter: UsageMeter,
    signal?: AbortSignal,
  ): AsyncGenerator<GenerationStep, GenerationResult> {
    const sequence = this.#decoder.openSequence(this.#engineKey, promptIds, options);
    this.#generating++;
    try {
      for (;;) {
        signal?.throwIfAborted();
        const { step, result, computeMilliseconds } = await sequence.next(signal);
        meter.addComputeMs(computeMilliseconds);
        if (step !== undefined) {
          this.#tokenSink?.recordGeneratedTokens(this.name, 1);
          yield step;
        }
        if (result !== undefined) return result;
      }
    } finally {
      this.#generating--;
      sequence.close();
    }
  }

  /** Sequences being generated now (a fine-tune's decoder is unloaded only when none are). */
  get generating(): number {
    return this.#generating;
  }
}
