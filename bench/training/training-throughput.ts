import { monitorEventLoopDelay } from 'node:perf_hooks';
import { trainNetwork } from '../../src/server/training/train-network.js';
import type { TrainingExamples } from '../../src/server/training/training-contract.js';
import { TrainingWorker } from '../../src/server/training/training-worker.js';
import { type BenchContext, bySize } from '../harness/bench-context.js';
import { runInterleaved } from '../harness/interleaved-rounds.js';
import { makeFigure, makeRatio } from '../harness/result-builder.js';
import type { BenchmarkResult } from '../harness/result-types.js';
import { fitWithTfjs, loadTfjs } from './tfjs-baseline.js';
import { generatedExamples, kerasExampleSpec } from './training-data.js';

const copyOf = (examples: TrainingExamples): TrainingExamples => ({
  rows: examples.rows,
  inputs: examples.inputs.slice(),
  targets: examples.targets.slice(),
});

/** Trains in a TrainingWorker while the main thread's event-loop delay is sampled; p99 in ms and samples/s. */
async function trainInWorker(examples: TrainingExamples, epochs: number) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  const data = copyOf(examples);
  delay.enable();
  const started = performance.now();
  await TrainingWorker.start(kerasExampleSpec(epochs, 1), data, undefined, { onEpoch: () => {} }).done;
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  return {
    loopP99Ms: delay.percentile(99) / 1e6,
    samplesPerSecond: (examples.rows * epochs) / seconds,
    seconds,
  };
}

/** The same delay measured over a quiet spell as long, so machine noise can be told from the trainer's. */
async function quietLoopP99(seconds: number): Promise<number> {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  delay.disable();
  return delay.percentile(99) / 1e6;
}

export async function runTrainingThroughput(context: BenchContext): Promise<BenchmarkResult> {
  const started = Date.now();
  const rows = bySize(context.size, { tiny: 256, full: 4096 });
  const epochs = bySize(context.size, { tiny: 1, full: 2 });
  const rounds = bySize(context.size, { tiny: 1, full: 3 });
  const examples = generatedExamples(rows, 17);
  await loadTfjs();
  const finalLosses: Record<'ours' | 'tfjs', number[]> = { ours: [], tfjs: [] };
  context.log(
    `training: 100-64-32-1, batch 32, adam, ${rows} examples x ${epochs} epochs, trainNetwork vs tfjs (cpu), ${rounds} rounds`,
  );
  const throughput = await runInterleaved(
    {
      ours: async () => {
        const losses: number[] = [];
        const begun = performance.now();
        trainNetwork(kerasExampleSpec(epochs, 1), examples, undefined, {
          onEpoch: (report) => losses.push(report.trainLoss),
        });
        const seconds = (performance.now() - begun) / 1000;
        finalLosses.ours.push(losses.at(-1)!);
        return (rows * epochs) / seconds;
      },
      tfjs: async () => {
        const { samplesPerSecond, loss } = await fitWithTfjs(examples, epochs);
        finalLosses.tfjs.push(loss);
        return samplesPerSecond;
      },
    },
    { rounds, warmupRounds: context.warmupRounds },
  );
  context.log('training: event-loop delay on the main thread while a TrainingWorker trains');
  const inWorker = {
    loopP99Ms: [] as number[],
    samplesPerSecond: [] as number[],
    quietP99Ms: [] as number[],
  };
  for (let round = 0; round < rounds; round++) {
    const sample = await trainInWorker(examples, epochs * 2);
    inWorker.loopP99Ms.push(sample.loopP99Ms);
    inWorker.samplesPerSecond.push(sample.samplesPerSecond);
    inWorker.quietP99Ms.push(await quietLoopP99(sample.seconds));
  }
  const last = (values: number[]) => values.at(-1)!.toFixed(3);
  return {
    name: 'training',
    title:
      'Training the 100-64-32-1 classifier: trainNetwork vs tfjs (pure-JS CPU backend), and the event loop meanwhile',
    notes: [
      `Both train the same ${rows} generated examples (100 inputs, a learnable rule) for ${epochs} epochs, batch 32, Adam 0.001, binary cross-entropy, shuffled each epoch; fresh weights every round.`,
      'trainNetwork runs on the main thread of this process (the sources under tsx) and also measures the training set after each epoch (loss, accuracy, AUC), which tfjs model.fit without validation data does not.',
      `tfjs 4.22.0 with setBackend('cpu'), Keras-style tf.sequential + compile + fit, verbose 0. Final training loss of the last round: ours ${last(finalLosses.ours)}, tfjs ${last(finalLosses.tfjs)}.`,
      `The event-loop delay is monitorEventLoopDelay (5 ms resolution) on the main thread while a TrainingWorker (a worker thread, started each round) trains ${epochs * 2} epochs.`,
    ],
    figures: [
      makeFigure({ id: 'ours', label: 'trainNetwork, examples/s', unit: 'samples/s' }, throughput.ours),
      makeFigure(
        { id: 'tfjs', label: 'tfjs model.fit (cpu backend), examples/s', unit: 'samples/s' },
        throughput.tfjs,
      ),
      makeFigure(
        { id: 'worker', label: 'TrainingWorker incl. thread start, examples/s', unit: 'samples/s' },
        inWorker.samplesPerSecond,
      ),
      makeFigure(
        {
          id: 'loop-p99',
          label: 'main event-loop delay p99 while a TrainingWorker trains',
          unit: 'ms',
          target: { comparison: '<', value: 20 },
        },
        inWorker.loopP99Ms,
      ),
      makeFigure(
        { id: 'quiet-loop-p99', label: 'main event-loop delay p99, nothing training (as long)', unit: 'ms' },
        inWorker.quietP99Ms,
      ),
    ],
    ratios: [
      makeRatio(
        {
          id: 'ours-vs-tfjs',
          label: 'training examples/s, trainNetwork / tfjs cpu',
          target: { comparison: '>=', value: 2 },
        },
        { id: 'ours', samples: throughput.ours },
        { id: 'tfjs', samples: throughput.tfjs },
      ),
    ],
    durationMs: Date.now() - started,
  };
}
