import type { GenerationResult, GenerationStep, SamplingOptions } from '../generation/model-contracts.js';

/** What a thread needs to decode sequences of a loaded chat model. */
export interface DecoderSpec {
  /** The model folder with `tokenizer.json` and `config.json`. */
  modelDirectory: string;
  /** The int64 `[batch, contextLength]` input and the float32 `[batch, vocabulary]` output. */
  inputName: string;
  outputName: string;
  /** Most sequences stepped in one model run (the batching engine sets its `maxBatchSize`; default 32). */
  maxBatchSize?: number;
}

/**
 * Messages that drive generation; they carry no reply id: answers come back as
 * {@link DecodeReport}s. A sequence opens with `credit` steps it may take before anyone reads
 * them; `step-sequences` gives each listed sequence one step more (its reader took an answer).
 */
export type SequenceCommand =
  | {
      kind: 'open-sequence';
      key: string;
      sequenceId: number;
      promptIds: readonly number[];
      options: SamplingOptions;
      credit: number;
    }
  | { kind: 'step-sequences'; key: string; sequenceIds: readonly number[] }
  | { kind: 'close-sequence'; key: string; sequenceId: number };

/**
 * One sequence's answer to a step request: the token it sampled (`step`), and its `result`
 * once it finished; a sequence that was finished before the step (e.g. `maxTokens: 0`) gets
 * only the result. `error` when stepping failed.
 */
export interface DecodeAnswer {
  sequenceId: number;
  step?: GenerationStep;
  result?: GenerationResult;
  error?: string;
  /** This sequence's share of the run's compute time. */
  computeMilliseconds: number;
}

/** One decode iteration: the answers of every sequence it stepped, and where the time went. */
export interface DecodeReport {
  key: string;
  answers: DecodeAnswer[];
  /** Sequences run through the model together (0 when every answer was already known). */
  rows: number;
  computeMilliseconds: number;
  /** Summed over the rows: how long each step request waited for this iteration. */
  queueMilliseconds: number;
}
