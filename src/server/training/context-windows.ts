import type { TrainingExamples } from './training-contract.js';

/** Every next-token example of a set of documents: the window of ids before it, and the id itself. */
export interface ContextWindows {
  /** Row-major `count x contextLength`. */
  contexts: Int32Array;
  targets: Int32Array;
  count: number;
}

/**
 * One example per token of each document (its end-of-text included). Windows never cross a
 * document boundary: they are left-padded with `padId`, exactly as the generator pads a prompt.
 */
export function buildContextWindows(
  documents: readonly Int32Array[],
  contextLength: number,
  padId: number,
): ContextWindows {
  const count = documents.reduce((sum, document) => sum + document.length, 0);
  const contexts = new Int32Array(count * contextLength).fill(padId);
  const targets = new Int32Array(count);
  let example = 0;
  for (const document of documents) {
    for (let position = 0; position < document.length; position++, example++) {
      targets[example] = document[position]!;
      for (let offset = 1; offset <= contextLength && position - offset >= 0; offset++) {
        contexts[example * contextLength + contextLength - offset] = document[position - offset]!;
      }
    }
  }
  return { contexts, targets, count };
}

/** The same windows as int64, the type of the ref-chat ONNX input. */
export function toInt64(values: Int32Array): BigInt64Array {
  const result = new BigInt64Array(values.length);
  for (let index = 0; index < values.length; index++) result[index] = BigInt(values[index]!);
  return result;
}

/** Windows as the trainer's example matrices (token ids are exact in float32): `contextLength` inputs, 1 target. */
export function windowsAsExamples(windows: ContextWindows): TrainingExamples {
  return {
    rows: windows.count,
    inputs: Float32Array.from(windows.contexts),
    targets: Float32Array.from(windows.targets),
  };
}

/** The windows back from the trainer's example matrices. */
export function examplesAsWindows(examples: TrainingExamples): ContextWindows {
  return {
    count: examples.rows,
    contexts: Int32Array.from(examples.inputs),
    targets: Int32Array.from(examples.targets),
  };
}
