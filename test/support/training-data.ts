import { SeededRandom } from '../../src/server/generation/seeded-random.js';
import type { TrainingExamples, TrainingSpec } from '../../src/server/training/training-contract.js';

/**
 * `rows` examples of a learnable rule: inputs uniform in [-1, 1), label 1 when the first two
 * inputs sum above 0 (one-hot over `classes` sections of that sum when classes > 1).
 */
export function ruleExamples(rows: number, inputDim: number, seed: number, classes = 1): TrainingExamples {
  const random = new SeededRandom(seed);
  const inputs = Float32Array.from({ length: rows * inputDim }, () => random.next() * 2 - 1);
  const targets = new Float32Array(rows * classes);
  for (let row = 0; row < rows; row++) {
    const sum = inputs[row * inputDim]! + inputs[row * inputDim + 1]!;
    if (classes === 1) targets[row] = sum > 0 ? 1 : 0;
    else targets[row * classes + Math.min(classes - 1, Math.floor(((sum + 2) / 4) * classes))] = 1;
  }
  return { rows, inputs, targets };
}

/** A small binary classifier: inputDim -> 16 relu -> 8 relu -> 1 sigmoid, adam, binary cross-entropy. */
export function smallClassifierSpec(inputDim: number, overrides: Partial<TrainingSpec> = {}): TrainingSpec {
  return {
    architecture: {
      inputDim,
      layers: [
        { units: 16, activation: 'relu' },
        { units: 8, activation: 'relu' },
        { units: 1, activation: 'sigmoid' },
      ],
    },
    loss: 'binary_crossentropy',
    optimizer: 'adam',
    learningRate: 0.01,
    l2: 0.0001,
    epochs: 6,
    batchSize: 32,
    seed: 7,
    ...overrides,
  };
}

/** Bit-level equality of two parameter lists (toEqual would take -0 for 0). */
export function sameBits(left: readonly Float32Array[], right: readonly Float32Array[]): boolean {
  return (
    left.length === right.length &&
    left.every((array, index) =>
      Buffer.from(array.buffer, array.byteOffset, array.byteLength).equals(
        Buffer.from(right[index]!.buffer, right[index]!.byteOffset, right[index]!.byteLength),
      ),
    )
  );
}
