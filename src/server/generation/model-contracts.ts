import type { JsonConstraint } from './constrained/constrained-sequence.js';

/**
 * The contract between the reference models (made by `scripts/`, shipped in `models/`)
 * and the server that runs them. The server's HTTP layer and its inference pool only
 * depend on these types; the model-specific code implements them.
 */

/** One chat message as the server's chat template sees it. */
export interface TemplateMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | 'developer';
  content: string;
}

/** Runs the ref-chat network on a batch of fixed-length contexts (row-major, `batch x contextLength`). */
export type LogitsFunction = (contexts: BigInt64Array, batchSize: number) => Promise<Float32Array>;

export interface SamplingOptions {
  /** 0 means greedy. */
  temperature: number;
  topP: number;
  /** 0 means no top-k cut. */
  topK: number;
  seed: number;
  maxTokens: number;
  stop: readonly string[];
  /** Only JSON of this schema may be sampled (structured outputs, tool arguments); `stop` is then unused. */
  constraint?: JsonConstraint | undefined;
}

export type GenerationFinishReason = 'stop' | 'length';

/** One decoding step of one sequence: the text it adds (possibly empty while a multi-byte character is incomplete). */
export interface GenerationStep {
  tokenId: number;
  textDelta: string;
}

export interface GenerationResult {
  text: string;
  completionTokens: number;
  finishReason: GenerationFinishReason;
}
