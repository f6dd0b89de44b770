import { SeededRandom } from '../../src/server/generation/seeded-random.js';
import type { TrainingExamples, TrainingSpec } from '../../src/server/training/training-contract.js';

/** The worked example: 100 -> Dense 64 relu -> Dense 32 relu -> Dense 1 sigmoid, adam, binary cross-entropy. */
export function kerasExampleSpec(epochs: number, seed: number): TrainingSpec {
  return {
    architecture: {
      inputDim: 100,
      layers: [
        { units: 64, activation: 'relu' },
        { units: 32, activation: 'relu' },
        { units: 1, activation: 'sigmoid' },
      ],
    },
    loss: 'binary_crossentropy',
    optimizer: 'adam',
    // Keras's (and tfjs's) defaults: Adam at 0.001, no regulariser.
    learningRate: 0.001,
    l2: 0,
    epochs,
    batchSize: 32,
    seed,
  };
}

/** `rows` inputs uniform in [-1, 1) and a learnable label (the sign of a fixed mix of the first ten). */
export function generatedExamples(rows: number, seed: number): TrainingExamples {
  const random = new SeededRandom(seed);
  const inputs = Float32Array.from({ length: rows * 100 }, () => random.next() * 2 - 1);
  const targets = new Float32Array(rows);
  for (let row = 0; row < rows; row++) {
    let mix = 0;
    for (let column = 0; column < 10; column++)
      mix += (column % 2 === 0 ? 1 : -0.5) * inputs[row * 100 + column]!;
    targets[row] = mix > 0 ? 1 : 0;
  }
  return { rows, inputs, targets };
}
