/**
 * Trains ref-classify, the worked example: a small sentiment classifier over hashed bag-of-words
 * features of the hand-written set in scripts/data, exported to ONNX in models/ref-classify/.
 *
 * Run: npx tsx scripts/train-ref-classify.ts
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Tensor } from 'onnxruntime-node';
import {
  type BinaryClassificationMetrics,
  binaryClassificationMetrics,
} from '../src/evaluation/classification-metrics.js';
import { hashedBagOfWords } from '../src/server/models/sentiment-features.js';
import { networkToOnnx } from '../src/server/training/network-onnx.js';
import { trainNetwork } from '../src/server/training/train-network.js';
import type { NetworkArchitecture, TrainingSpec } from '../src/server/training/training-contract.js';
import { formatJson, round, writeModelFiles } from './lib/model-output.js';
import { createSession } from './lib/onnx-runtime-helpers.js';
import { refClassifyCard } from './lib/ref-classify-card.js';
import { type LabelledSentence, loadSentimentDataset } from './lib/sentiment-dataset.js';

export const refClassifySettings = {
  seed: 100,
  featureDimensions: 100,
  layerSizes: [100, 64, 32, 1],
  epochs: 120,
  batchSize: 32,
  learningRate: 0.003,
  l2: 0.0005,
  /** The card's promises (chance is 0.5), checked by test/integration/model-quality.test.ts. */
  requiredAccuracy: 0.65,
  requiredF1: 0.6,
} as const;

/** What metrics.json and the card report (the confusion-matrix metrics; not AUC or log loss). */
export type RefClassifyReportedMetrics = Omit<BinaryClassificationMetrics, 'rocAuc' | 'logLoss'>;

export interface RefClassifyMetrics {
  trainingExamples: number;
  heldOut: RefClassifyReportedMetrics;
  training: RefClassifyReportedMetrics;
  trainingSeconds: number;
}

function featureMatrix(sentences: readonly LabelledSentence[], dimensions: number): Float32Array {
  const matrix = new Float32Array(sentences.length * dimensions);
  sentences.forEach((sentence, row) => {
    matrix.set(hashedBagOfWords(sentence.text, dimensions), row * dimensions);
  });
  return matrix;
}

function roundMetrics({
  rocAuc: _,
  logLoss: __,
  ...metrics
}: BinaryClassificationMetrics): RefClassifyReportedMetrics {
  return {
    ...metrics,
    accuracy: round(metrics.accuracy),
    precision: round(metrics.precision),
    recall: round(metrics.recall),
    f1: round(metrics.f1),
  };
}

export async function trainRefClassify(): Promise<RefClassifyMetrics> {
  const settings = refClassifySettings;
  const started = performance.now();
  const dataset = loadSentimentDataset();
  const dimensions = settings.featureDimensions;
  const trainingFeatures = featureMatrix(dataset.training, dimensions);
  const trainingLabels = Float32Array.from(dataset.training, (sentence) => sentence.label);
  const [inputDim, ...units] = settings.layerSizes;
  const architecture: NetworkArchitecture = {
    inputDim,
    layers: units.map((width, index) => ({
      units: width,
      activation: index === units.length - 1 ? 'sigmoid' : 'relu',
    })),
  };
  const spec: TrainingSpec = {
    architecture,
    loss: 'binary_crossentropy',
    optimizer: 'adam',
    learningRate: settings.learningRate,
    l2: settings.l2,
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    seed: settings.seed,
  };
  const parameters = trainNetwork(
    spec,
    { rows: dataset.training.length, inputs: trainingFeatures, targets: trainingLabels },
    undefined,
    {
      onEpoch: ({ epoch, trainLoss }) => {
        if (epoch % 40 === 0) console.log(`ref-classify: epoch ${epoch}, loss ${trainLoss.toFixed(4)}`);
      },
    },
  );
  const trainingSeconds = (performance.now() - started) / 1000;

  const onnx = networkToOnnx(architecture, parameters, {
    name: 'ref-classify',
    description: 'Sentiment classifier over hashed bag-of-words features (aiaas reference model).',
    metadata: {
      'aiaas.model': 'ref-classify',
      'aiaas.features': `hashedBagOfWords(text, ${dimensions})`,
    },
    producer: 'aiaas-scripts',
  });
  const config = {
    name: 'ref-classify',
    task: 'binary-classification',
    version: '1',
    onnxFile: '1/model.onnx',
    features: {
      function: 'hashedBagOfWords',
      module: 'src/server/models/sentiment-features.ts',
      dimensions,
      description: 'lowercase words less function words, FNV-1a hashed to buckets and counted, L2-normalised',
    },
    labels: { '0': 'negative', '1': 'positive' },
    threshold: 0.5,
    layers: settings.layerSizes,
    inputs: [{ name: 'input', type: 'float32', shape: ['batch', dimensions] }],
    outputs: [{ name: 'probability', type: 'float32', shape: ['batch', 1] }],
  };
  const modelDirectory = writeModelFiles('ref-classify', {
    '1/model.onnx': onnx,
    'config.json': formatJson(config),
  });

  // Metrics come from the exported file run by onnxruntime, as the server and the tests run it.
  const session = await createSession(join(modelDirectory, '1', 'model.onnx'));
  const evaluate = async (sentences: readonly LabelledSentence[]) => {
    const features = featureMatrix(sentences, dimensions);
    const outputs = await session.run({
      input: new Tensor('float32', features, [sentences.length, dimensions]),
    });
    const probabilities = outputs.probability!.data as Float32Array;
    return roundMetrics(
      binaryClassificationMetrics(
        probabilities,
        sentences.map((sentence) => sentence.label),
      ),
    );
  };
  const metrics: RefClassifyMetrics = {
    trainingExamples: dataset.training.length,
    heldOut: await evaluate(dataset.heldOut),
    training: await evaluate(dataset.training),
    trainingSeconds: round(trainingSeconds, 1),
  };
  writeModelFiles('ref-classify', {
    'metrics.json': formatJson(metrics),
    'README.md': refClassifyCard({ settings, metrics }),
  });
  const held = metrics.heldOut;
  console.log(
    `ref-classify: held-out accuracy ${held.accuracy}, precision ${held.precision}, recall ${held.recall}, ` +
      `F1 ${held.f1} (${metrics.trainingSeconds} s)`,
  );
  return metrics;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await trainRefClassify();
