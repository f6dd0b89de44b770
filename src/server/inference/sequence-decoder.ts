import type { SamplingOptions } from '../generation/model-contracts.js';
import type { DecodeAnswer, DecoderSpec } from './sequence-messages.js';

/** One step of a sequence: the sampled token (`step`) and/or, once finished, the `result`. */
export type DecodedStep = Omit<DecodeAnswer, 'sequenceId' | 'error'>;

/** A generation in progress inside the engine. */
export interface DecodingSequence {
  /** Asks for the next token; a signal that fires while waiting rejects with its reason. */
  next(signal?: AbortSignal): Promise<DecodedStep>;
  /** Ends the sequence (finished or abandoned) and frees its state. */
  close(): void;
}

/**
 * Generation hosted next to the model sessions, continuously batched: the engine keeps each
 * sequence's state and steps every waiting sequence of a model in one run.
 *
 * @example
 * await engine.loadDecoder('ref-chat/1', { modelDirectory, inputName: 'context', outputName: 'logits', maxBatchSize: 32 });
 * const sequence = engine.openSequence('ref-chat/1', promptIds, options);
 * const { step, result } = await sequence.next();
 */
export interface SequenceDecoder {
  /** Prepares decoding for a loaded chat model (its tokenizer, its input and output). */
  loadDecoder(key: string, spec: DecoderSpec): Promise<void>;
  openSequence(key: string, promptIds: readonly number[], options: SamplingOptions): DecodingSequence;
}
