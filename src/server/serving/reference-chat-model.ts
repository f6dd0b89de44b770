import { join } from 'node:path';
import type { UsageMeter } from '../http/usage-meter.js';
import type { InferenceEngine } from '../inference/inference-engine.js';
import type { ModelRegistry } from '../model-repository/model-registry.js';
import { ChatGenerator } from '../models/chat-generator.js';
import { renderChatPrompt } from '../models/chat-template.js';
import { ChatTokenizer } from '../models/chat-tokenizer.js';
import type {
  GenerationResult,
  GenerationStep,
  LogitsFunction,
  SamplingOptions,
  TemplateMessage,
} from '../models/model-contracts.js';
import { builtInModelsDir } from '../models/model-files.js';

/**
 * The longest prompt plus completion the server accepts for ref-chat. The network itself only
 * ever sees its last `contextLength` tokens, so this is a serving limit that keeps one
 * request from occupying the model for long, reported as `max_model_len`.
 */
export const chatMaxModelLength = 4096;

/**
 * ref-chat as the OpenAI routes use it: its tokenizer, the chat template, and generation
 * whose model runs go through the inference engine and are metered on the request.
 *
 * @example
 * const chat = await ReferenceChatModel.load(engine, registry);
 * const run = chat.generate(chat.encodeMessages(messages), options, context.meter, context.signal);
 */
export class ReferenceChatModel {
  readonly name = 'ref-chat';
  readonly tokenizer: ChatTokenizer;
  readonly maxModelLength = chatMaxModelLength;
  readonly #engine: InferenceEngine;
  readonly #engineKey: string;
  readonly #inputName: string;
  readonly #outputName: string;

  private constructor(
    tokenizer: ChatTokenizer,
    engine: InferenceEngine,
    engineKey: string,
    names: [string, string],
  ) {
    this.tokenizer = tokenizer;
    this.#engine = engine;
    this.#engineKey = engineKey;
    [this.#inputName, this.#outputName] = names;
  }

  static async load(engine: InferenceEngine, registry: ModelRegistry): Promise<ReferenceChatModel> {
    const entry = registry.resolve('ref-chat');
    const tokenizer = await ChatTokenizer.load(join(builtInModelsDir, 'ref-chat'));
    const input = entry.signature.inputs[0];
    const output = entry.signature.outputs[0];
    if (input?.type !== 'int64' || output?.type !== 'float32') {
      throw new Error('ref-chat must take an int64 context and return float32 logits.');
    }
    return new ReferenceChatModel(tokenizer, engine, entry.engineKey, [input.name, output.name]);
  }

  /** The prompt ids of chat messages: the rendered chat template, tokenized (what usage counts). */
  encodeMessages(messages: readonly TemplateMessage[]): number[] {
    return this.tokenizer.encode(renderChatPrompt(messages));
  }

  /** A logits function whose model runs are charged to `meter`. */
  logitsFor(meter: UsageMeter): LogitsFunction {
    const contextLength = this.tokenizer.contextLength;
    return async (contexts, batchSize) => {
      const { outputs, computeMilliseconds } = await this.#engine.run(
        this.#engineKey,
        { [this.#inputName]: { type: 'int64', dims: [batchSize, contextLength], data: contexts } },
        [this.#outputName],
      );
      meter.addComputeMilliseconds(computeMilliseconds);
      return outputs[this.#outputName]!.data as Float32Array;
    };
  }

  /** Generates one sequence; deltas add up to the result's text. Throws the signal's reason when aborted. */
  generate(
    promptIds: readonly number[],
    options: SamplingOptions,
    meter: UsageMeter,
    signal?: AbortSignal,
  ): AsyncGenerator<GenerationStep, GenerationResult> {
    return new ChatGenerator(this.tokenizer, this.logitsFor(meter)).generate(promptIds, options, signal);
  }
}
