import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../../../src/errors/index.js';
import { trainNetwork } from '../../../../src/server/training/train-network.js';
import type { EpochReport, TrainingExamples } from '../../../../src/server/training/training-contract.js';
import { TrainingWorker } from '../../../../src/server/training/training-worker.js';
import { ruleExamples, sameBits, smallClassifierSpec } from '../../../support/training-data.js';

const inputDim = 10;
/** A copy, since the worker takes the examples' buffers. */
const copyOf = (examples: TrainingExamples): TrainingExamples => ({
  rows: examples.rows,
  inputs: examples.inputs.slice(),
  targets: examples.targets.slice(),
});
const train = ruleExamples(400, inputDim, 1);
const valid = ruleExamples(100, inputDim, 2);

describe('TrainingWorker', () => {
  it('trains in a thread to the same bits as trainNetwork, reporting every epoch, and takes the examples', async () => {
    const spec = smallClassifierSpec(inputDim, { epochs: 3 });
    const inline: EpochReport[] = [];
    const expected = trainNetwork(spec, train, valid, { onEpoch: (report) => inline.push(report) });
    const reports: EpochReport[] = [];
    const sent = copyOf(train);
    const run = TrainingWorker.start(spec, sent, copyOf(valid), {
      onEpoch: (report) => reports.push(report),
    });
    const parameters = await run.done;
    expect(sameBits(parameters, expected)).toBe(true);
    expect(reports.map((report) => report.epoch)).toEqual([1, 2, 3]);
    expect(reports.map((report) => report.validLoss)).toEqual(inline.map((report) => report.validLoss));
    expect(reports[2]!.metrics).toEqual(inline[2]!.metrics);
    // Transferred, not copied: the caller's arrays are now empty.
    expect(sent.inputs.length).toBe(0);
  });

  it('resumes from a checkpoint to the same bits as an uninterrupted run', async () => {
    const spec = smallClassifierSpec(inputDim, { epochs: 4 });
    const reports: EpochReport[] = [];
    const uninterrupted = await TrainingWorker.start(spec, copyOf(train), copyOf(valid), {
      onEpoch: (report) => reports.push(report),
    }).done;
    const resume = reports[1]!.resumeState;
    const resumedReports: EpochReport[] = [];
    const resumed = await TrainingWorker.start(spec, copyOf(train), copyOf(valid), {
      resume,
      onEpoch: (report) => resumedReports.push(report),
    }).done;
    expect(resumedReports.map((report) => report.epoch)).toEqual([3, 4]);
    expect(sameBits(resumed, uninterrupted)).toBe(true);
    // The caller's checkpoint is copied, not taken.
    expect(resume.parameters[0]!.length).toBe(inputDim * 16);
  });

  it('stops mid-epoch when cancelled, rejecting with an AbortError and reporting no further epoch', async () => {
    // Epochs of 20,000 rows take about a second, so the cancel lands well inside the second one.
    const big = ruleExamples(20_000, 100, 3);
    const reports: EpochReport[] = [];
    let firstEpoch: () => void = () => {};
    const reachedFirstEpoch = new Promise<void>((resolve) => {
      firstEpoch = resolve;
    });
    const run = TrainingWorker.start(smallClassifierSpec(100, { epochs: 3, batchSize: 16 }), big, undefined, {
      onEpoch: (report) => {
        reports.push(report);
        firstEpoch();
      },
    });
    await reachedFirstEpoch;
    run.cancel();
    await expect(run.done).rejects.toMatchObject({ name: 'AbortError' });
    expect(reports.map((report) => report.epoch)).toEqual([1]);
  });

  it('rejects with the InvalidOptionError the thread threw, naming the field', async () => {
    const run = TrainingWorker.start(
      smallClassifierSpec(inputDim, { batchSize: 0 }),
      copyOf(train),
      undefined,
      {
        onEpoch: () => {},
      },
    );
    const error = await run.done.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe('batchSize');
  });

  it('ends the run with the error of an onEpoch listener that throws', async () => {
    const run = TrainingWorker.start(
      smallClassifierSpec(inputDim, { epochs: 50 }),
      copyOf(train),
      undefined,
      {
        onEpoch: () => {
          throw new Error('listener failed');
        },
      },
    );
    await expect(run.done).rejects.toThrow('listener failed');
  });
});
