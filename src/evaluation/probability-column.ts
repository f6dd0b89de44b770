import { ValidationError } from '../errors/index.js';
import type { DecodedTensor, InferResult } from '../providers/oip/decoded-tensor.js';

function invalid(path: string, message: string): never {
  throw new ValidationError(`Unusable classifier output: ${path}: ${message}`, {
    issues: [{ path, message }],
    subject: 'response',
  });
}

function pickOutput(result: InferResult, outputName: string | undefined): DecodedTensor {
  const wanted = outputName ?? 'probability';
  const named = result.outputs.find((output) => output.name === wanted);
  if (named !== undefined) return named;
  // Without the conventional name, a model with a single output is unambiguous.
  if (outputName === undefined && result.outputs.length === 1) return result.outputs[0]!;
  const names = result.outputs.map((output) => output.name).join(', ');
  return invalid('outputs', `no output named "${wanted}" (the model returned: ${names || 'none'})`);
}

/**
 * The positive class's probability per row of a binary classifier's answer: a `[rows]` or
 * `[rows, 1]` output is that probability (a sigmoid); a `[rows, 2]` output is read at column 1
 * (a softmax over negative, positive).
 */
export function positiveProbabilities(
  result: InferResult,
  rows: number,
  outputName: string | undefined,
): Float64Array {
  const output = pickOutput(result, outputName);
  const path = `outputs.${output.name}`;
  if (
    output.datatype === 'BOOL' ||
    output.datatype === 'BYTES' ||
    output.data instanceof BigInt64Array ||
    output.data instanceof BigUint64Array
  ) {
    invalid(path, `expected a floating-point tensor, got ${output.datatype}`);
  }
  const columns = output.shape.length === 1 ? 1 : output.shape[1];
  const shapeFits =
    output.shape[0] === rows &&
    (output.shape.length === 1 || (output.shape.length === 2 && (columns === 1 || columns === 2)));
  if (!shapeFits || columns === undefined) {
    invalid(path, `expected shape [${rows}], [${rows}, 1] or [${rows}, 2], got [${output.shape.join(', ')}]`);
  }
  const values = output.data as ArrayLike<number>;
  const probabilities = new Float64Array(rows);
  for (let row = 0; row < rows; row++) {
    const value = values[row * columns + columns - 1]!;
    if (!(value >= 0 && value <= 1)) invalid(`${path}.${row}`, `${value} is not a probability in [0, 1]`);
    probabilities[row] = value;
  }
  return probabilities;
}
