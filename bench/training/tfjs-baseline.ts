import type { TrainingExamples } from '../../src/server/training/training-contract.js';

type Tfjs = typeof import('@tensorflow/tfjs');

let loading: Promise<Tfjs> | undefined;

/** tfjs with its pure-JavaScript CPU backend (no tfjs-node, no WebGL), loaded only by this benchmark. */
export function loadTfjs(): Promise<Tfjs> {
  loading ??= (async () => {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    await tf.ready();
    return tf;
  })();
  return loading;
}

/**
 * The Keras way, in tfjs: `Sequential([Dense(64, relu), Dense(32, relu), Dense(1, sigmoid)])`,
 * `compile(adam, binary_crossentropy)`, `fit(x, y, epochs, batch_size=32)`; returns the examples
 * trained per second and the final training loss.
 */
export async function fitWithTfjs(
  examples: TrainingExamples,
  epochs: number,
): Promise<{ samplesPerSecond: number; loss: number }> {
  const tf = await loadTfjs();
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [100], units: 64, activation: 'relu' }),
      tf.layers.dense({ units: 32, activation: 'relu' }),
      tf.layers.dense({ units: 1, activation: 'sigmoid' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'binaryCrossentropy' });
  const inputs = tf.tensor2d(examples.inputs, [examples.rows, 100]);
  const targets = tf.tensor2d(examples.targets, [examples.rows, 1]);
  try {
    const started = performance.now();
    const history = await model.fit(inputs, targets, { epochs, batchSize: 32, shuffle: true, verbose: 0 });
    const seconds = (performance.now() - started) / 1000;
    const losses = history.history.loss as number[];
    return { samplesPerSecond: (examples.rows * epochs) / seconds, loss: losses.at(-1)! };
  } finally {
    inputs.dispose();
    targets.dispose();
    model.dispose();
  }
}
