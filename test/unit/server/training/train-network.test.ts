import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../../../src/errors/index.js';
import { trainNetwork } from '../../../../src/server/training/train-network.js';
import type { EpochReport, TrainingSpec } from '../../../../src/server/training/training-contract.js';
import { ruleExamples, sameBits, smallClassifierSpec } from '../../../support/training-data.js';

const inputDim = 10;
const train = ruleExamples(600, inputDim, 1);
const valid = ruleExamples(200, inputDim, 2);

function trainCollecting(spec: TrainingSpec, options: Partial<Parameters<typeof trainNetwork>[3]> = {}) {
  const reports: EpochReport[] = [];
  const parameters = trainNetwork(spec, train, valid, {
    ...options,
    onEpoch: (report) => reports.push(report),
  });
  return { parameters, reports };
}

describe('trainNetwork', () => {
  it('learns a learnable rule and reports loss and classifier metrics every epoch', () => {
    const { parameters, reports } = trainCollecting(smallClassifierSpec(inputDim, { epochs: 10, l2: 0 }));
    expect(reports.map((report) => report.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(reports.at(-1)!.step).toBe(10 * Math.ceil(600 / 32));
    expect(reports.at(-1)!.trainLoss).toBeLessThan(reports[0]!.trainLoss);
    const final = reports.at(-1)!;
    expect(final.metrics!.accuracy).toBeGreaterThan(0.9);
    expect(final.metrics!.rocAuc).toBeGreaterThan(0.95);
    // Without L2 the validation loss is the metrics' log loss (same clipping), up to float32 outputs.
    expect(final.validLoss).toBeCloseTo(final.metrics!.logLoss, 6);
    expect(parameters.map((array) => array.length)).toEqual([160, 16, 128, 8, 8, 1]);
    expect(sameBits(final.parameters, parameters)).toBe(true);
  });

  it('gives bit-identical parameters for the same spec, data and seed, and others for another seed', () => {
    const spec = smallClassifierSpec(inputDim, { epochs: 3 });
    const first = trainCollecting(spec).parameters;
    expect(sameBits(trainCollecting(spec).parameters, first)).toBe(true);
    expect(sameBits(trainCollecting({ ...spec, seed: 8 }).parameters, first)).toBe(false);
  });

  it('ends where an uninterrupted run ends when resumed from any epoch, for adam and sgd', () => {
    for (const optimizer of ['adam', 'sgd'] as const) {
      const spec = smallClassifierSpec(inputDim, {
        epochs: 5,
        optimizer,
        learningRate: optimizer === 'sgd' ? 0.1 : 0.01,
      });
      const uninterrupted = trainCollecting(spec);
      for (const checkpoint of [1, 3]) {
        // structuredClone: the state survives a worker's message port (or a disk round trip) unchanged.
        const resume = structuredClone(uninterrupted.reports[checkpoint - 1]!.resumeState);
        const resumed = trainCollecting(spec, { resume });
        expect(resumed.reports.map((report) => report.epoch)).toEqual(
          checkpoint === 3 ? [4, 5] : [2, 3, 4, 5],
        );
        expect(resumed.reports.at(-1)!.step).toBe(uninterrupted.reports.at(-1)!.step);
        expect(sameBits(resumed.parameters, uninterrupted.parameters)).toBe(true);
      }
    }
  });

  it('fine-tunes from initial parameters without changing the caller arrays', () => {
    const base = trainCollecting(smallClassifierSpec(inputDim, { epochs: 1 })).parameters;
    const before = base.map((array) => array.slice());
    const tuned = trainCollecting(
      smallClassifierSpec(inputDim, { epochs: 1, initialParameters: base }),
    ).parameters;
    expect(sameBits(base, before)).toBe(true);
    expect(sameBits(tuned, base)).toBe(false);
  });

  it('stops early once the validation loss has not improved for the patience, and says so', () => {
    // The validation labels are the opposite rule, so learning the training rule makes them worse.
    const inverted = { ...valid, targets: valid.targets.map((target) => 1 - target) };
    const reports: EpochReport[] = [];
    trainNetwork(smallClassifierSpec(inputDim, { epochs: 30, earlyStoppingPatience: 2 }), train, inverted, {
      onEpoch: (report) => reports.push(report),
    });
    expect(reports.length).toBeLessThan(30);
    expect(reports.at(-1)!.stoppedEarly).toBe(true);
    expect(reports.slice(0, -1).every((report) => !report.stoppedEarly)).toBe(true);
    expect(reports.at(-1)!.resumeState.epochsWithoutImprovement).toBe(2);
  });

  it('trains softmax with categorical cross-entropy, tanh with mse and linear outputs', () => {
    const classes = 3;
    const threeClass = ruleExamples(600, inputDim, 3, classes);
    const softmaxReports: EpochReport[] = [];
    trainNetwork(
      {
        ...smallClassifierSpec(inputDim, { epochs: 8, loss: 'categorical_crossentropy' }),
        architecture: {
          inputDim,
          layers: [
            { units: 16, activation: 'tanh' },
            { units: classes, activation: 'softmax' },
          ],
        },
      },
      threeClass,
      undefined,
      { onEpoch: (report) => softmaxReports.push(report) },
    );
    expect(softmaxReports.at(-1)!.trainLoss).toBeLessThan(softmaxReports[0]!.trainLoss * 0.8);
    expect(softmaxReports.at(-1)!.metrics).toBeUndefined();
    expect(softmaxReports.at(-1)!.validLoss).toBeUndefined();

    const mseReports: EpochReport[] = [];
    trainNetwork(
      {
        ...smallClassifierSpec(inputDim, { epochs: 8, loss: 'mse', optimizer: 'sgd', learningRate: 0.05 }),
        architecture: {
          inputDim,
          layers: [
            { units: 8, activation: 'sigmoid' },
            { units: 1, activation: 'linear' },
          ],
        },
      },
      train,
      valid,
      { onEpoch: (report) => mseReports.push(report) },
    );
    expect(mseReports.at(-1)!.validLoss!).toBeLessThan(mseReports[0]!.validLoss!);
  });

  it('throws an AbortError between batches once the signal aborts', () => {
    const controller = new AbortController();
    const reports: EpochReport[] = [];
    const run = () =>
      trainNetwork(smallClassifierSpec(inputDim), train, valid, {
        signal: controller.signal,
        onEpoch: (report) => {
          reports.push(report);
          controller.abort();
        },
      });
    expect(run).toThrow(expect.objectContaining({ name: 'AbortError' }));
    expect(reports).toHaveLength(1);
  });

  it('throws when the loss stops being finite instead of returning NaN weights', () => {
    const spec = smallClassifierSpec(inputDim, {
      epochs: 3,
      loss: 'mse',
      optimizer: 'sgd',
      learningRate: 1e30,
    });
    expect(() =>
      trainCollecting({ ...spec, architecture: { inputDim, layers: [{ units: 1, activation: 'linear' }] } }),
    ).toThrow(/diverged.*epoch 1/);
  });

  it('refuses a bad spec, data set or resume state with an error naming the field', () => {
    const spec = smallClassifierSpec(inputDim);
    const refusal = (bad: TrainingSpec, data = train) => {
      try {
        trainNetwork(bad, data, undefined, { onEpoch: () => {} });
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidOptionError);
        return (error as InvalidOptionError).option;
      }
      throw new Error('expected a refusal');
    };
    const layers = spec.architecture.layers;
    expect(refusal({ ...spec, architecture: { inputDim: 0, layers } })).toBe('architecture.inputDim');
    expect(refusal({ ...spec, architecture: { inputDim, layers: [] } })).toBe('architecture.layers');
    expect(
      refusal({
        ...spec,
        architecture: { inputDim, layers: [{ units: 2.5, activation: 'relu' }, ...layers] },
      }),
    ).toBe('architecture.layers[0].units');
    expect(
      refusal({
        ...spec,
        architecture: { inputDim, layers: [{ units: 4, activation: 'gelu' as 'relu' }, ...layers] },
      }),
    ).toBe('architecture.layers[0].activation');
    expect(
      refusal({ ...spec, architecture: { inputDim, layers: [{ units: 1, activation: 'softmax' }] } }),
    ).toBe('architecture.layers[0].units');
    expect(refusal({ ...spec, architecture: { inputDim, layers: [{ units: 1, activation: 'relu' }] } })).toBe(
      'architecture.layers[0].activation',
    );
    expect(
      refusal({
        ...spec,
        loss: 'categorical_crossentropy',
        architecture: { inputDim, layers: [{ units: 2, activation: 'sigmoid' }] },
      }),
    ).toBe('architecture.layers[0].activation');
    expect(refusal({ ...spec, loss: 'hinge' as 'mse' })).toBe('loss');
    expect(refusal({ ...spec, optimizer: 'rmsprop' as 'sgd' })).toBe('optimizer');
    expect(refusal({ ...spec, learningRate: 0 })).toBe('learningRate');
    expect(refusal({ ...spec, l2: -1 })).toBe('l2');
    expect(refusal({ ...spec, epochs: 0 })).toBe('epochs');
    expect(refusal({ ...spec, batchSize: 0 })).toBe('batchSize');
    expect(refusal({ ...spec, earlyStoppingPatience: 0 })).toBe('earlyStoppingPatience');
    expect(refusal({ ...spec, initialParameters: [new Float32Array(3)] })).toBe('initialParameters');
    expect(refusal(spec, { ...train, inputs: train.inputs.subarray(1) })).toBe('train.inputs');
    expect(refusal(spec, { ...train, targets: train.targets.map(() => 2) })).toBe('train.targets');
    expect(
      refusal(spec, {
        ...train,
        inputs: train.inputs.map((value, index) => (index === 25 ? Number.NaN : value)),
      }),
    ).toBe('train.inputs');
    expect(() => trainNetwork(spec, train, { ...valid, rows: 0 }, { onEpoch: () => {} })).toThrow(
      /valid\.rows/,
    );
    const { reports } = trainCollecting({ ...spec, epochs: 2 });
    const resume = { ...reports[0]!.resumeState, optimizerState: [] };
    expect(() => trainNetwork({ ...spec, epochs: 2 }, train, valid, { resume, onEpoch: () => {} })).toThrow(
      /resume\.optimizerState/,
    );
  });
});
