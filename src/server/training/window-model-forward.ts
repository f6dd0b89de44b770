import type { ContextWindows } from './context-windows.js';
import { multiplyByTransposed } from './dense-kernels.js';
import type { WindowLanguageModel } from './window-language-model.js';

/** Windows per forward pass when measuring a whole set. */
const rowsPerPass = 256;

/** The tanh hidden layer of `rows` windows (row-major `rows x hiddenSize`). */
function hiddenOf(model: WindowLanguageModel, contexts: Int32Array, rows: number): Float32Array {
  const { contextLength, embeddingSize, hiddenSize } = model.shape;
  const windowSize = contextLength * embeddingSize;
  const window = new Float32Array(rows * windowSize);
  for (let row = 0; row < rows; row++)
    for (let slot = 0; slot < contextLength; slot++) {
      const id = contexts[row * contextLength + slot]!;
      window.set(
        model.embeddings.subarray(id * embeddingSize, (id + 1) * embeddingSize),
        row * windowSize + slot * embeddingSize,
      );
    }
  const hidden = new Float32Array(rows * hiddenSize);
  multiplyByTransposed(window, model.hiddenWeights, hidden, rows, windowSize, hiddenSize, model.hiddenBias);
  for (let index = 0; index < hidden.length; index++) hidden[index] = Math.tanh(hidden[index]!);
  return hidden;
}

/** log-softmax of `length` logits at `offset`, in place. */
function logSoftmaxInPlace(values: Float32Array, offset: number, length: number): void {
  let maximum = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < length; index++) maximum = Math.max(maximum, values[offset + index]!);
  let sum = 0;
  for (let index = 0; index < length; index++) sum += Math.exp(values[offset + index]! - maximum);
  const shift = maximum + Math.log(sum);
  for (let index = 0; index < length; index++) values[offset + index]! -= shift;
}

/** Class log-probabilities, then each token's log-probability within the block of `classIndex`. */
function blockLogProbabilities(
  model: WindowLanguageModel,
  hidden: Float32Array,
  row: number,
  classIndex: number,
  out: Float32Array,
): void {
  const { hiddenSize, classSize } = model.shape;
  const first = classIndex * classSize;
  for (let slot = 0; slot < classSize; slot++) {
    const weightOffset = (first + slot) * hiddenSize;
    let sum = model.tokenBias[first + slot]!;
    for (let unit = 0; unit < hiddenSize; unit++)
      sum += model.tokenWeights[weightOffset + unit]! * hidden[row * hiddenSize + unit]!;
    out[slot] = sum;
  }
  logSoftmaxInPlace(out, 0, classSize);
}

function classLogProbabilities(model: WindowLanguageModel, hidden: Float32Array, rows: number): Float32Array {
  const { hiddenSize, classCount } = model.shape;
  const classes = new Float32Array(rows * classCount);
  multiplyByTransposed(hidden, model.classWeights, classes, rows, hiddenSize, classCount, model.classBias);
  for (let row = 0; row < rows; row++) logSoftmaxInPlace(classes, row * classCount, classCount);
  return classes;
}

/**
 * What the exported graph computes, in process: a full row of log-probabilities over the
 * vocabulary per window (`rows x vocabSize`), p(token) = p(class) * p(token | class).
 */
export function windowLogProbabilities(
  model: WindowLanguageModel,
  contexts: Int32Array,
  rows: number,
): Float32Array {
  const { vocabSize, classCount, classSize } = model.shape;
  const hidden = hiddenOf(model, contexts, rows);
  const classes = classLogProbabilities(model, hidden, rows);
  const out = new Float32Array(rows * vocabSize);
  const block = new Float32Array(classSize);
  for (let row = 0; row < rows; row++)
    for (let classIndex = 0; classIndex < classCount; classIndex++) {
      blockLogProbabilities(model, hidden, row, classIndex, block);
      const classLog = classes[row * classCount + classIndex]!;
      for (let slot = 0; slot < classSize; slot++)
        out[row * vocabSize + classIndex * classSize + slot] = block[slot]! + classLog;
    }
  return out;
}

/** Mean negative log-likelihood (nats per token) of every window's target: only its block is computed. */
export function windowMeanNegativeLogLikelihood(model: WindowLanguageModel, windows: ContextWindows): number {
  const { contextLength, classCount, classSize } = model.shape;
  const block = new Float32Array(classSize);
  let total = 0;
  for (let start = 0; start < windows.count; start += rowsPerPass) {
    const rows = Math.min(rowsPerPass, windows.count - start);
    const contexts = windows.contexts.subarray(start * contextLength, (start + rows) * contextLength);
    const hidden = hiddenOf(model, contexts, rows);
    const classes = classLogProbabilities(model, hidden, rows);
    for (let row = 0; row < rows; row++) {
      const target = windows.targets[start + row]!;
      const classIndex = Math.floor(target / classSize);
      blockLogProbabilities(model, hidden, row, classIndex, block);
      total -= classes[row * classCount + classIndex]! + block[target - classIndex * classSize]!;
    }
  }
  return total / windows.count;
}

/**
 * Share of windows whose target is the model's most likely next token (OpenAI's mean token
 * accuracy), from the full row of log-probabilities.
 */
export function windowTokenAccuracy(model: WindowLanguageModel, windows: ContextWindows): number {
  const { contextLength, vocabSize } = model.shape;
  let correct = 0;
  for (let start = 0; start < windows.count; start += rowsPerPass) {
    const rows = Math.min(rowsPerPass, windows.count - start);
    const contexts = windows.contexts.subarray(start * contextLength, (start + rows) * contextLength);
    const logProbabilities = windowLogProbabilities(model, contexts, rows);
    for (let row = 0; row < rows; row++) {
      let best = 0;
      for (let id = 1; id < vocabSize; id++)
        if (logProbabilities[row * vocabSize + id]! > logProbabilities[row * vocabSize + best]!) best = id;
      if (best === windows.targets[start + row]) correct++;
    }
  }
  return correct / windows.count;
}
