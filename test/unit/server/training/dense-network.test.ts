import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../src/server/generation/seeded-random.js';
import { DenseNetwork } from '../../../../src/server/training/dense-network.js';
import type {
  Activation,
  LossName,
  NetworkArchitecture,
} from '../../../../src/server/training/training-contract.js';
import { parameterShapes } from '../../../../src/server/training/training-spec-validation.js';

const rows = 5;

function setUp(hidden: Activation, output: Activation, outputUnits: number, loss: LossName) {
  const architecture: NetworkArchitecture = {
    inputDim: 4,
    layers: [
      { units: 3, activation: hidden },
      { units: outputUnits, activation: output },
    ],
  };
  const random = new SeededRandom(11);
  const parameters = parameterShapes(architecture).map((shape) =>
    Float32Array.from(
      { length: shape.reduce((product, size) => product * size, 1) },
      () => random.next() - 0.5,
    ),
  );
  const inputs = Float32Array.from({ length: rows * 4 }, () => random.next() * 2 - 1);
  const targets = new Float32Array(rows * outputUnits);
  for (let row = 0; row < rows; row++) {
    if (loss === 'categorical_crossentropy') targets[row * outputUnits + (row % outputUnits)] = 1;
    else for (let unit = 0; unit < outputUnits; unit++) targets[row * outputUnits + unit] = (row + unit) % 2;
  }
  return { network: new DenseNetwork(architecture, parameters, rows), inputs, targets };
}

describe('DenseNetwork gradients', () => {
  // Central differences in float32 are coarse, so the step is large and the tolerance loose;
  // a wrong derivative is off by far more than this.
  const cases: [Activation, Activation, number, LossName][] = [
    ['relu', 'sigmoid', 1, 'binary_crossentropy'],
    ['tanh', 'sigmoid', 2, 'binary_crossentropy'],
    ['sigmoid', 'softmax', 3, 'categorical_crossentropy'],
    ['linear', 'tanh', 2, 'mse'],
    ['softmax', 'linear', 1, 'mse'],
    ['tanh', 'relu', 2, 'mse'],
  ];
  for (const [hidden, output, units, loss] of cases) {
    it(`match finite differences for ${hidden} -> ${output} (${units}) with ${loss} and L2`, () => {
      const { network, inputs, targets } = setUp(hidden, output, units, loss);
      const l2 = 0.01;
      network.lossAndGradients(inputs, targets, rows, loss, l2);
      const analytic = network.gradients.map((gradient) => gradient.slice());
      const step = 1e-2;
      network.parameters.forEach((parameter, index) => {
        for (let position = 0; position < parameter.length; position++) {
          const original = parameter[position]!;
          parameter[position] = original + step;
          const above = network.lossAndGradients(inputs, targets, rows, loss, l2);
          parameter[position] = original - step;
          const below = network.lossAndGradients(inputs, targets, rows, loss, l2);
          parameter[position] = original;
          const numeric = (above - below) / (2 * step);
          expect(
            Math.abs(analytic[index]![position]! - numeric),
            `parameter ${index}[${position}]`,
          ).toBeLessThan(2e-3 + 0.02 * Math.abs(numeric));
        }
      });
    });
  }

  it('predicts any number of rows in chunks exactly as one forward pass per chunk', () => {
    const { network, inputs } = setUp('relu', 'sigmoid', 1, 'binary_crossentropy');
    const twice = new Float32Array([...inputs, ...inputs]);
    const predicted = network.predict(twice, 2 * rows);
    const once = network.forward(inputs, rows).slice();
    expect([...predicted]).toEqual([...once, ...once]);
  });
});
