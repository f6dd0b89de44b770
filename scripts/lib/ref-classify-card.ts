import type { RefClassifyMetrics, refClassifySettings } from '../train-ref-classify.js';

interface RefClassifyCardInput {
  settings: typeof refClassifySettings;
  metrics: RefClassifyMetrics;
}

/** models/ref-classify/README.md, written by the training script so its numbers are the measured ones. */
export function refClassifyCard({ settings, metrics }: RefClassifyCardInput): string {
  const held = metrics.heldOut;
  return `# ref-classify

The worked example of the reference server: a small sentiment classifier that says how
likely a short English sentence is to be positive. It is served over the Open Inference
Protocol v2 (\`POST /v2/models/ref-classify/infer\`) and made by \`scripts/train-ref-classify.ts\`.

## Data

A hand-written set of ${held.examples + metrics.trainingExamples} short sentences and review snippets (food, hotels,
products, films, services), half positive and half negative: \`scripts/data/sentiment-positive.txt\` and
\`scripts/data/sentiment-negative.txt\`, written for this project and dedicated to the public
domain (CC0 1.0). Line i of one file mirrors line i of the other (same topic, opposite feeling).
Every fifth pair is held out (${held.examples} sentences), so held-out sentences are about topics the
model never saw; training uses the other ${metrics.trainingExamples}.

## Features

\`hashedBagOfWords(text, ${settings.featureDimensions})\` from \`src/server/models/sentiment-features.ts\`: lowercase
words, less a short list of English function words (negations are kept), each hashed with
FNV-1a (32-bit) to one of ${settings.featureDimensions} buckets and counted; the vector is then L2-normalised.
This variant (against signed hashing, word pairs and negation marking) and the L2 strength were
chosen by 5-fold cross-validation on the training sentences. Send the same features to the
model: \`input\` float32 \`[batch, ${settings.featureDimensions}]\`.

## Architecture

${settings.layerSizes[0]} inputs -> dense ${settings.layerSizes[1]}, ReLU -> dense ${settings.layerSizes[2]}, ReLU -> dense 1, sigmoid ->
\`probability\` float32 \`[batch, 1]\` (probability that the sentence is positive; threshold 0.5).
ONNX IR 8, opset 13 (Gemm, Relu, Sigmoid), file \`1/model.onnx\`.

## Training

Binary cross-entropy plus L2 regularisation (${settings.l2} x sum of squared weights), Adam
(learning rate ${settings.learningRate}), batch ${settings.batchSize}, ${settings.epochs} epochs, He-initialised weights,
seed ${settings.seed}. Plain TypeScript, forward and backward by hand
(\`src/server/training/train-network.ts\`, the trainer the service uses). Training took ${metrics.trainingSeconds} s.

## Metrics (measured with onnxruntime-node on the exported file)

| metric | held-out (${held.examples}) | training (${metrics.training.examples}) |
| --- | --- | --- |
| accuracy | ${held.accuracy} | ${metrics.training.accuracy} |
| precision (positive class) | ${held.precision} | ${metrics.training.precision} |
| recall (positive class) | ${held.recall} | ${metrics.training.recall} |
| F1 | ${held.f1} | ${metrics.training.f1} |

Held-out confusion: ${held.truePositives} true positives, ${held.falsePositives} false positives,
${held.trueNegatives} true negatives, ${held.falseNegatives} false negatives. Chance is 0.5 accuracy on this
balanced set. \`test/integration/model-quality.test.ts\` recomputes these numbers through
onnxruntime-node, checks them against \`metrics.json\`, and requires held-out accuracy of at least
${settings.requiredAccuracy} and F1 of at least ${settings.requiredF1}.

## Limits

${settings.featureDimensions} hashed buckets for every word and word pair means many collisions, and a
few hundred training sentences cover few words: it knows common words of praise and complaint,
not sarcasm, domain words or long texts. It is a fixture for serving tensors, not a sentiment
product.
`;
}
