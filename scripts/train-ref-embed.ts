/**
 * Trains ref-embed, a small sentence-embedding model: token vectors from PPMI and a truncated SVD of
 * the State of the Union corpus, averaged with SIF weights, projected and L2-normalised. Writes
 * models/ref-embed/ (model, tokenizer, config, metrics and model card).
 *
 * Run: npx tsx scripts/train-ref-embed.ts
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Tensor } from 'onnxruntime-node';
import { buildEmbeddingBatch, truncateEmbedding } from '../src/server/generation/embedding-input.js';
import { createSeededRandom } from '../src/server/generation/sampler.js';
import { buildLocalTokenizerFile, createTokenizer } from './lib/local-vocabulary.js';
import { formatJson, round, writeModelFiles } from './lib/model-output.js';
import { createSession } from './lib/onnx-runtime-helpers.js';
import { ppmiTokenVectors } from './lib/ppmi-token-vectors.js';
import { refEmbedCard } from './lib/ref-embed-card.js';
import {
  fitProjection,
  meanVectors,
  sentenceEmbeddingOnnx,
  smoothInverseFrequencyWeights,
  weightedTokenTable,
} from './lib/sentence-embedding-model.js';
import { loadSimilarityDataset, type SimilarityDataset } from './lib/similarity-dataset.js';
import { loadSpeeches, splitSentences } from './lib/state-of-the-union-corpus.js';

export const refEmbedSettings = {
  seed: 2001,
  localVocabularySize: 6000,
  dimensions: 128,
  maxSequenceLength: 256,
  window: 10,
  contextSize: 3000,
  contextSmoothing: 0.75,
  /** SIF's a: a token's weight is a / (a + p(token)). */
  smoothInverseFrequency: 1e-3,
  /** The card's promises, checked by test/integration/model-quality.test.ts. */
  requiredTripletAccuracy: 0.8,
} as const;

export interface SimilarityMetrics {
  meanRelatedCosine: number;
  meanUnrelatedCosine: number;
  tripletAccuracy: number;
}

export interface RefEmbedMetrics {
  corpusSentences: number;
  corpusTokens: number;
  similaritySentences: number;
  triplets: number;
  full: SimilarityMetrics;
  truncatedTo64: SimilarityMetrics;
  trainingSeconds: number;
}

function cosine(left: Float32Array, right: Float32Array): number {
  let dot = 0;
  for (let index = 0; index < left.length; index++) dot += left[index]! * right[index]!;
  return dot;
}

/** The similarity check on unit vectors: mean cosine of related and unrelated pairs, and triplet order. */
export function similarityMetrics(
  vectors: readonly Float32Array[],
  dataset: SimilarityDataset,
): SimilarityMetrics {
  const mean = (pairs: [number, number][]) =>
    pairs.reduce((sum, [left, right]) => sum + cosine(vectors[left]!, vectors[right]!), 0) / pairs.length;
  const ordered = dataset.triplets.filter(
    (triplet) =>
      cosine(vectors[triplet.anchor]!, vectors[triplet.related]!) >
      cosine(vectors[triplet.anchor]!, vectors[triplet.unrelated]!),
  ).length;
  return {
    meanRelatedCosine: round(mean(dataset.relatedPairs)),
    meanUnrelatedCosine: round(mean(dataset.unrelatedPairs)),
    tripletAccuracy: round(ordered / dataset.triplets.length),
  };
}

export async function trainRefEmbed(): Promise<RefEmbedMetrics> {
  const settings = refEmbedSettings;
  const started = performance.now();
  const speeches = loadSpeeches().map((speech) => splitSentences(speech.text));
  const sentences = speeches.flat();
  const tokenizerFile = buildLocalTokenizerFile(sentences, settings.localVocabularySize);
  const tokenizer = createTokenizer(tokenizerFile, settings.maxSequenceLength);
  const vocabSize = tokenizer.vocabSize;
  const tokenized = sentences.map((sentence) => Int32Array.from(tokenizer.encode(sentence)));
  const ignored = new Set([tokenizer.unknownId, tokenizer.endOfTextId]);
  const counts = new Float64Array(vocabSize);
  for (const sentence of tokenized) for (const id of sentence) if (!ignored.has(id)) counts[id]!++;
  const corpusTokens = tokenized.reduce((sum, sentence) => sum + sentence.length, 0);
  console.log(`ref-embed: ${sentences.length} sentences, ${corpusTokens} tokens, vocabulary ${vocabSize}`);

  const random = createSeededRandom(settings.seed);
  // Co-occurrence windows run across sentence boundaries within a speech, where the topic carries on.
  const speechTokens = speeches.map((speech) =>
    Int32Array.from(speech.flatMap((sentence) => tokenizer.encode(sentence))),
  );
  const vectors = ppmiTokenVectors(speechTokens, vocabSize, ignored, settings, random);
  const weights = smoothInverseFrequencyWeights(counts, settings.smoothInverseFrequency);
  const table = weightedTokenTable(vectors, weights, settings.dimensions);
  const projection = fitProjection(
    meanVectors(table, tokenized, settings.dimensions),
    tokenized.length,
    settings.dimensions,
  );
  const trainingSeconds = (performance.now() - started) / 1000;
  console.log(`ref-embed: token vectors and projection done (${trainingSeconds.toFixed(0)} s)`);

  const onnx = sentenceEmbeddingOnnx(table, projection, vocabSize, settings.dimensions, {
    'aiaas.model': 'ref-embed',
    'aiaas.dimensions': String(settings.dimensions),
  });
  const config = {
    name: 'ref-embed',
    task: 'text-embedding',
    version: '1',
    onnxFile: '1/model.onnx',
    tokenizerFile: 'tokenizer.json',
    architecture:
      'SIF-weighted mean of PPMI-SVD token vectors over the attention mask -> linear projection -> L2 normalisation',
    dimensions: settings.dimensions,
    contextLength: settings.maxSequenceLength,
    vocabSize,
    unknownId: tokenizer.unknownId,
    endOfTextId: tokenizer.endOfTextId,
    padId: tokenizer.padId,
    normalized: true,
    matryoshka: 'dimensions are ordered by variance; truncateEmbedding() cuts and re-normalises',
    inputs: [
      { name: 'input_ids', type: 'int64', shape: ['batch', 'sequence'] },
      { name: 'attention_mask', type: 'int64', shape: ['batch', 'sequence'] },
    ],
    outputs: [{ name: 'embeddings', type: 'float32', shape: ['batch', settings.dimensions] }],
  };
  const modelDirectory = writeModelFiles('ref-embed', {
    '1/model.onnx': onnx,
    'tokenizer.json': `${JSON.stringify(tokenizerFile)}\n`,
    'config.json': formatJson(config),
  });

  // Metrics come from the exported file run by onnxruntime, as the server and the tests run it.
  const session = await createSession(join(modelDirectory, '1', 'model.onnx'));
  const dataset = loadSimilarityDataset();
  const batch = buildEmbeddingBatch(tokenizer, dataset.sentences, settings.maxSequenceLength);
  const shape = [batch.batchSize, batch.sequenceLength];
  const outputs = await session.run({
    input_ids: new Tensor('int64', batch.inputIds, shape),
    attention_mask: new Tensor('int64', batch.attentionMask, shape),
  });
  const flat = outputs.embeddings!.data as Float32Array;
  const embeddings = dataset.sentences.map((_, row) =>
    flat.slice(row * settings.dimensions, (row + 1) * settings.dimensions),
  );
  const metrics: RefEmbedMetrics = {
    corpusSentences: sentences.length,
    corpusTokens,
    similaritySentences: dataset.sentences.length,
    triplets: dataset.triplets.length,
    full: similarityMetrics(embeddings, dataset),
    truncatedTo64: similarityMetrics(
      embeddings.map((vector) => truncateEmbedding(vector, 64)),
      dataset,
    ),
    trainingSeconds: round(trainingSeconds, 1),
  };
  writeModelFiles('ref-embed', {
    'metrics.json': formatJson(metrics),
    'README.md': refEmbedCard({ settings, metrics, vocabSize }),
  });
  console.log(
    `ref-embed: related ${metrics.full.meanRelatedCosine} vs unrelated ${metrics.full.meanUnrelatedCosine}, ` +
      `triplets ${metrics.full.tripletAccuracy} (64 dimensions: ${metrics.truncatedTo64.tripletAccuracy}), ` +
      `${metrics.trainingSeconds} s`,
  );
  return metrics;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await trainRefEmbed();
