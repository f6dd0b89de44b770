import type { GenerationResult } from '../generation/model-contracts.js';
import type { DecodeAnswer, DecodeReport } from './sequence-messages.js';

/**
 * A {@link DecodeReport} as a thread posts it: the answers in flat arrays and one string instead
 * of an object per answer. Cloning 32 answer objects cost a worker ~45 µs per decode iteration,
 * about a sixth of its time at concurrency 32; this form costs ~8 µs.
 */
export interface PackedDecodeReport {
  key: string;
  rows: number;
  computeMilliseconds: number;
  queueMilliseconds: number;
  /** Per answer: its sequence id, the sampled token id (-1: no step) and its text's length. */
  steps: Int32Array;
  /** Per answer: its share of the run's compute time. */
  answerComputeMilliseconds: Float64Array;
  /** Every step's text, one after another. */
  text: string;
  /** The rare answers that carry a result or an error, by answer index. */
  endings: { index: number; result?: GenerationResult; error?: string }[];
}

const noStep = -1;

/**
 * Packs a report for `postMessage`.
 *
 * @example
 * port.postMessage({ report: packDecodeReport(report) });
 */
export function packDecodeReport(report: DecodeReport): PackedDecodeReport {
  const { answers } = report;
  const steps = new Int32Array(answers.length * 3);
  const answerComputeMilliseconds = new Float64Array(answers.length);
  const endings: PackedDecodeReport['endings'] = [];
  let text = '';
  for (let index = 0; index < answers.length; index++) {
    const answer = answers[index]!;
    steps[index * 3] = answer.sequenceId;
    steps[index * 3 + 1] = answer.step === undefined ? noStep : answer.step.tokenId;
    steps[index * 3 + 2] = answer.step === undefined ? 0 : answer.step.textDelta.length;
    if (answer.step !== undefined) text += answer.step.textDelta;
    answerComputeMilliseconds[index] = answer.computeMilliseconds;
    if (answer.result !== undefined || answer.error !== undefined) {
      endings.push({
        index,
        ...(answer.result === undefined ? {} : { result: answer.result }),
        ...(answer.error === undefined ? {} : { error: answer.error }),
      });
    }
  }
  const { key, rows, computeMilliseconds, queueMilliseconds } = report;
  return {
    key,
    rows,
    computeMilliseconds,
    queueMilliseconds,
    steps,
    answerComputeMilliseconds,
    text,
    endings,
  };
}

/**
 * The report a packed one was made from.
 *
 * @example
 * sequences.receive(unpackDecodeReport(reply.report));
 */
export function unpackDecodeReport(packed: PackedDecodeReport): DecodeReport {
  const { steps, answerComputeMilliseconds, text } = packed;
  const answers: DecodeAnswer[] = new Array(answerComputeMilliseconds.length);
  let offset = 0;
  for (let index = 0; index < answers.length; index++) {
    const tokenId = steps[index * 3 + 1]!;
    const answer: DecodeAnswer = {
      sequenceId: steps[index * 3]!,
      computeMilliseconds: answerComputeMilliseconds[index]!,
    };
    if (tokenId !== noStep) {
      const length = steps[index * 3 + 2]!;
      answer.step = { tokenId, textDelta: text.slice(offset, offset + length) };
      offset += length;
    }
    answers[index] = answer;
  }
  for (const { index, result, error } of packed.endings) {
    if (result !== undefined) answers[index]!.result = result;
    if (error !== undefined) answers[index]!.error = error;
  }
  const { key, rows, computeMilliseconds, queueMilliseconds } = packed;
  return { key, rows, computeMilliseconds, queueMilliseconds, answers };
}
