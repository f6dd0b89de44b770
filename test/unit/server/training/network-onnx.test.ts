import { readFileSync } from 'node:fs';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../../../src/errors/index.js';
import { SeededRandom } from '../../../../src/server/generation/seeded-random.js';
import { builtInModelFile } from '../../../../src/server/models/model-files.js';
import { DenseNetwork } from '../../../../src/server/training/dense-network.js';
import { networkToOnnx, parametersFromOnnx } from '../../../../src/server/training/network-onnx.js';
import type {
  NetworkArchitecture,
  NetworkParameters,
} from '../../../../src/server/training/training-contract.js';
import { parameterShapes } from '../../../../src/server/training/training-spec-validation.js';

const refClassify: NetworkArchitecture = {
  inputDim: 100,
  layers: [
    { units: 64, activation: 'relu' },
    { units: 32, activation: 'relu' },
    { units: 1, activation: 'sigmoid' },
  ],
};

function randomParameters(architecture: NetworkArchitecture, seed: number): NetworkParameters {
  const random = new SeededRandom(seed);
  return parameterShapes(architecture).map((shape) =>
    Float32Array.from(
      { length: shape.reduce((product, size) => product * size, 1) },
      () => random.next() * 2 - 1,
    ),
  );
}

function randomInputs(rows: number, inputDim: number): Float32Array {
  const random = new SeededRandom(99);
  return Float32Array.from({ length: rows * inputDim }, () => random.next() * 2 - 1);
}

function maxDifference(left: ArrayLike<number>, right: ArrayLike<number>): number {
  expect(left.length).toBe(right.length);
  let largest = 0;
  for (let index = 0; index < left.length; index++)
    largest = Math.max(largest, Math.abs(left[index]! - right[index]!));
  return largest;
}

async function runOnnx(bytes: Uint8Array, inputs: Float32Array, rows: number, inputDim: number) {
  const session = await InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const outputs = await session.run({ input: new Tensor('float32', inputs, [rows, inputDim]) });
    return { session, probability: outputs.probability! };
  } finally {
    await session.release();
  }
}

describe('networkToOnnx', () => {
  const architectures: [string, NetworkArchitecture][] = [
    ['relu -> relu -> sigmoid (ref-classify)', refClassify],
    [
      'tanh -> softmax',
      {
        inputDim: 7,
        layers: [
          { units: 5, activation: 'tanh' },
          { units: 3, activation: 'softmax' },
        ],
      },
    ],
    [
      'sigmoid -> linear',
      {
        inputDim: 4,
        layers: [
          { units: 6, activation: 'sigmoid' },
          { units: 2, activation: 'linear' },
        ],
      },
    ],
    ['one linear layer', { inputDim: 3, layers: [{ units: 1, activation: 'linear' }] }],
  ];
  for (const [label, architecture] of architectures) {
    it(`writes a model onnxruntime runs like the trainer's forward pass: ${label}`, async () => {
      const parameters = randomParameters(architecture, 5);
      const bytes = networkToOnnx(architecture, parameters, {
        name: 'test-net',
        metadata: { 'aiaas.model': 'x' },
      });
      const rows = 9;
      const inputs = randomInputs(rows, architecture.inputDim);
      const { session, probability } = await runOnnx(bytes, inputs, rows, architecture.inputDim);
      const units = architecture.layers.at(-1)!.units;
      expect(session.inputNames).toEqual(['input']);
      expect(session.outputNames).toEqual(['probability']);
      expect(probability.type).toBe('float32');
      expect(probability.dims).toEqual([rows, units]);
      const expected = new DenseNetwork(architecture, parameters, rows).forward(inputs, rows);
      const actual = probability.data as Float32Array;
      expect(maxDifference(actual, expected)).toBeLessThan(1e-5);
      // And the parameters come back exactly.
      const read = parametersFromOnnx(bytes, architecture);
      expect(read.map((array) => [...array])).toEqual(parameters.map((array) => [...array]));
    });
  }
});

describe('parametersFromOnnx', () => {
  const modelBytes = new Uint8Array(readFileSync(builtInModelFile('ref-classify')));

  it("reads ref-classify's Gemm layers back as arrays that reproduce its outputs", async () => {
    const parameters = parametersFromOnnx(modelBytes, refClassify);
    expect(parameters.map((array) => array.length)).toEqual([64 * 100, 64, 32 * 64, 32, 32, 1]);
    const rows = 16;
    const inputs = randomInputs(rows, 100).map(Math.abs);
    const { probability } = await runOnnx(modelBytes, inputs, rows, 100);
    const ours = new DenseNetwork(refClassify, parameters, rows).forward(inputs, rows);
    expect(maxDifference(probability.data as Float32Array, ours)).toBeLessThan(1e-5);
  });

  it('writes ref-classify back byte for byte from what it read (same names, layout and metadata)', () => {
    const parameters = parametersFromOnnx(modelBytes, refClassify);
    const rewritten = networkToOnnx(refClassify, parameters, {
      name: 'ref-classify',
      description: 'Sentiment classifier over hashed bag-of-words features (aiaas reference model).',
      metadata: { 'aiaas.model': 'ref-classify', 'aiaas.features': 'hashedBagOfWords(text, 100)' },
      producer: 'aiaas-scripts',
    });
    expect(Buffer.from(rewritten).equals(Buffer.from(modelBytes))).toBe(true);
  });

  it('refuses an architecture the model does not have, naming the layer, and bytes that are not ONNX', () => {
    const option = (architecture: NetworkArchitecture, bytes = modelBytes) => {
      try {
        parametersFromOnnx(bytes, architecture);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidOptionError);
        return (error as InvalidOptionError).option;
      }
      throw new Error('expected a refusal');
    };
    const layers = refClassify.layers;
    expect(option({ ...refClassify, inputDim: 99 })).toBe('architecture.layers[0].units');
    expect(
      option({ inputDim: 100, layers: [layers[0]!, { units: 16, activation: 'relu' }, layers[2]!] }),
    ).toBe('architecture.layers[1].units');
    expect(
      option({ inputDim: 100, layers: [layers[0]!, { units: 32, activation: 'tanh' }, layers[2]!] }),
    ).toBe('architecture.layers[1].activation');
    expect(option({ inputDim: 100, layers: layers.slice(0, 2) })).toBe('architecture.layers');
    expect(option(refClassify, new TextEncoder().encode('not a model'))).toBe('bytes');
    expect(option(refClassify, modelBytes.subarray(0, 1000))).toBe('bytes');
  });
});
