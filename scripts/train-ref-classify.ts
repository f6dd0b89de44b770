/**
 * Trains ref-classify, the worked example: a small sentiment classifier over hashed bag-of-words
 * features of the hand-written set in scripts/data, exported to ONNX in models/ref-classify/.
 *
 * Run: npx tsx scripts/train-ref-classify.ts
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Tensor } from 'onnxruntime-node';
import { createSeededRandom } from '../src/server/generation/sampler.js';
import { hashedBagOfWords } from '../src/server/models/sentiment-features.js';
import { AdamOptimizer } from './lib/adam-optimizer.js';
import { BinaryClassifierNetwork } from './lib/binary-classifier-network.js';
import {
  type BinaryClassificationMetrics,
  binaryClassificationMetrics,
} from './lib/classification-metrics.js';
import { formatJson, round, writeModelFiles } from './lib/model-output.js';
import { createSession } from './lib/onnx-runtime-helpers.js';
import { range, shuffleInPlace } from './lib/random-arrays.js';
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

export interface RefClassifyMetrics {
  trainingExamples: number;
  heldOut: BinaryClassificationMetrics;
  training: BinaryClassificationMetrics;
  trainingSeconds: number;
}

function featureMatrix(sentences: readonly LabelledSentence[], dimensions: number): Float32Array {
  const matrix = new Float32Array(sentences.length * dimensions);
  sentences.forEach((sentence, row) => {
    matrix.set(hashedBagOfWords(sentence.text, dimensions), row * dimensions);
  });
  return matrix;
}

function roundMetrics(metrics: BinaryClassificationMetrics): BinaryClassificationMetrics {
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
  const random = createSeededRandom(settings.seed);
  const network = new BinaryClassifierNetwork(settings.layerSizes, random);
  const optimizer = new AdamOptimizer(network.parameters, { learningRate: settings.learningRate });
  const batchFeatures = new Float32Array(settings.batchSize * dimensions);
  const batchLabels = new Float32Array(settings.batchSize);
  for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    const order = shuffleInPlace(range(dataset.training.length), random);
    let epochLoss = 0;
    for (let start = 0; start < order.length; start += settings.batchSize) {
      const rows = Math.min(settings.batchSize, order.length - start);
      for (let row = 0; row < rows; row++) {
        const example = order[start + row]!;
        batchFeatures.set(
          trainingFeatures.subarray(example * dimensions, (example + 1) * dimensions),
          row * dimensions,
        );
        batchLabels[row] = trainingLabels[example]!;
      }
      const { loss, gradients } = network.lossAndGradients(batchFeatures, batchLabels, rows, settings.l2);
      optimizer.step(gradients);
      epochLoss += loss * rows;
    }
    if (epoch % 40 === 0)
      console.log(`ref-classify: epoch ${epoch}, loss ${(epochLoss / order.length).toFixed(4)}`);
  }
  const trainingSeconds = (performance.now() - started) / 1000;

  const onnx = network.toOnnx(
    'ref-classify',
    'Sentiment classifier over hashed bag-of-words features (aiaas reference model).',
    {
      'aiaas.model': 'ref-classify',
      'aiaas.features': `hashedBagOfWords(text, ${dimensions})`,
    },
  );
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
