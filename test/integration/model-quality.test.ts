/**
 * Runs the committed ONNX models through onnxruntime-node and checks the quality their model
 * cards promise, recomputing each metric from the shipped data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadSentimentDataset } from '../../scripts/lib/sentiment-dataset.js';
import { loadSimilarityDataset } from '../../scripts/lib/similarity-dataset.js';
import { loadChatCorpus } from '../../scripts/lib/state-of-the-union-corpus.js';
import { refClassifySettings } from '../../scripts/train-ref-classify.js';
import { refEmbedSettings } from '../../scripts/train-ref-embed.js';
import { ChatGenerator } from '../../src/server/generation/chat-generator.js';
import { renderChatPrompt } from '../../src/server/generation/chat-template.js';
import { ChatTokenizer } from '../../src/server/generation/chat-tokenizer.js';
import { buildEmbeddingBatch, truncateEmbedding } from '../../src/server/generation/embedding-input.js';
import type { LogitsFunction } from '../../src/server/generation/model-contracts.js';
import { builtInModelFile, builtInModelsDir } from '../../src/server/models/model-files.js';
import { hashedBagOfWords } from '../../src/server/models/sentiment-features.js';
import { buildContextWindows, toInt64 } from '../../src/server/training/context-windows.js';

function readModelJson<T>(model: string, file: string): T {
  return JSON.parse(readFileSync(join(builtInModelsDir, model, file), 'utf8')) as T;
}

function createSession(path: string): Promise<InferenceSession> {
  return InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

describe('ref-chat', () => {
  const metrics = readModelJson<{
    perplexity: number;
    unigramPerplexity: number;
    requiredPerplexityReduction: number;
  }>('ref-chat', 'metrics.json');

  it('beats the unigram baseline on held-out speeches by the margin its card states', async () => {
    const tokenizer = await ChatTokenizer.load(join(builtInModelsDir, 'ref-chat'));
    const session = await createSession(builtInModelFile('ref-chat'));
    const corpus = loadChatCorpus();
    const tokenize = (documents: readonly string[]) =>
      documents.map((document) => Int32Array.from([...tokenizer.encode(document), tokenizer.endOfTextId]));
    const heldOut = buildContextWindows(tokenize(corpus.heldOut), tokenizer.contextLength, tokenizer.padId);
    const counts = new Float64Array(tokenizer.vocabSize);
    let trainingTokens = 0;
    for (const document of tokenize(corpus.training)) {
      for (const id of document) counts[id]!++;
      trainingTokens += document.length;
    }

    const contexts = toInt64(heldOut.contexts);
    let modelLoss = 0;
    let unigramLoss = 0;
    const batch = 4096;
    for (let start = 0; start < heldOut.count; start += batch) {
      const rows = Math.min(batch, heldOut.count - start);
      const input = contexts.subarray(
        start * tokenizer.contextLength,
        (start + rows) * tokenizer.contextLength,
      );
      const output = await session.run({
        context: new Tensor('int64', input, [rows, tokenizer.contextLength]),
      });
      expect(output.logits!.dims).toEqual([rows, tokenizer.vocabSize]);
      const logits = output.logits!.data as Float32Array;
      for (let row = 0; row < rows; row++) {
        const offset = row * tokenizer.vocabSize;
        let maximum = Number.NEGATIVE_INFINITY;
        for (let id = 0; id < tokenizer.vocabSize; id++) maximum = Math.max(maximum, logits[offset + id]!);
        let sum = 0;
        for (let id = 0; id < tokenizer.vocabSize; id++) sum += Math.exp(logits[offset + id]! - maximum);
        const target = heldOut.targets[start + row]!;
        modelLoss += maximum + Math.log(sum) - logits[offset + target]!;
        unigramLoss -= Math.log((counts[target]! + 1) / (trainingTokens + tokenizer.vocabSize));
      }
    }
    const perplexity = Math.exp(modelLoss / heldOut.count);
    const unigramPerplexity = Math.exp(unigramLoss / heldOut.count);

    expect(metrics.requiredPerplexityReduction).toBeGreaterThanOrEqual(0.25);
    expect(perplexity).toBeLessThan(unigramPerplexity * (1 - metrics.requiredPerplexityReduction));
    expect(perplexity).toBeCloseTo(metrics.perplexity, 1);
    expect(unigramPerplexity).toBeCloseTo(metrics.unigramPerplexity, 1);
    expect(readFileSync(join(builtInModelsDir, 'ref-chat', 'README.md'), 'utf8')).toContain(
      `| ${metrics.perplexity} |`,
    );
    // The whole corpus tokenized and the held-out speeches run: tens of seconds on a loaded machine.
  }, 120_000);

  it('generates the same English text again for the same seed, and stops by itself', async () => {
    const tokenizer = await ChatTokenizer.load(join(builtInModelsDir, 'ref-chat'));
    const session = await createSession(builtInModelFile('ref-chat'));
    const logits: LogitsFunction = async (contexts, batchSize) => {
      const output = await session.run({
        context: new Tensor('int64', contexts, [batchSize, tokenizer.contextLength]),
      });
      return output.logits!.data as Float32Array;
    };
    const generator = new ChatGenerator(tokenizer, logits);
    const prompt = tokenizer.encode(renderChatPrompt([{ role: 'user', content: 'What about jobs?' }]));
    const generate = async (seed: number) => {
      const run = generator.generate(prompt, {
        temperature: 0.8,
        topP: 0.95,
        topK: 40,
        seed,
        maxTokens: 200,
        stop: [],
      });
      let next = await run.next();
      while (!next.done) next = await run.next();
      return next.value;
    };
    const first = await generate(3);
    expect(await generate(3)).toEqual(first);
    expect(first.finishReason).toBe('stop');
    // English prose: mostly common words between spaces.
    const words = first.text.trim().split(/\s+/);
    expect(words.length).toBeGreaterThan(3);
    expect(words.filter((word) => /^[A-Za-z',.;:!?-]+$/.test(word)).length / words.length).toBeGreaterThan(
      0.8,
    );
  });
});

describe('ref-embed', () => {
  const metrics = readModelJson<{ full: { tripletAccuracy: number; meanRelatedCosine: number } }>(
    'ref-embed',
    'metrics.json',
  );
  const config = readModelJson<{ dimensions: number }>('ref-embed', 'config.json');

  async function embed(texts: readonly string[]): Promise<Float32Array[]> {
    const tokenizer = await ChatTokenizer.load(join(builtInModelsDir, 'ref-embed'));
    const session = await createSession(builtInModelFile('ref-embed'));
    const batch = buildEmbeddingBatch(tokenizer, texts, tokenizer.contextLength);
    const shape = [batch.batchSize, batch.sequenceLength];
    const output = await session.run({
      input_ids: new Tensor('int64', batch.inputIds, shape),
      attention_mask: new Tensor('int64', batch.attentionMask, shape),
    });
    expect(output.embeddings!.dims).toEqual([texts.length, config.dimensions]);
    const flat = output.embeddings!.data as Float32Array;
    return texts.map((_, row) => flat.slice(row * config.dimensions, (row + 1) * config.dimensions));
  }

  const cosine = (left: Float32Array, right: Float32Array) =>
    left.reduce((sum, value, index) => sum + value * right[index]!, 0);

  it('scores related sentences above unrelated ones on the labelled set', async () => {
    const dataset = loadSimilarityDataset();
    const vectors = await embed(dataset.sentences);
    for (const vector of vectors) expect(Math.hypot(...vector)).toBeCloseTo(1, 5);
    const mean = (pairs: [number, number][]) =>
      pairs.reduce((sum, [left, right]) => sum + cosine(vectors[left]!, vectors[right]!), 0) / pairs.length;
    const ordered = (list: Float32Array[]) =>
      dataset.triplets.filter(
        (triplet) =>
          cosine(list[triplet.anchor]!, list[triplet.related]!) >
          cosine(list[triplet.anchor]!, list[triplet.unrelated]!),
      ).length / dataset.triplets.length;

    expect(mean(dataset.relatedPairs)).toBeGreaterThan(mean(dataset.unrelatedPairs));
    expect(ordered(vectors)).toBeGreaterThanOrEqual(refEmbedSettings.requiredTripletAccuracy);
    expect(ordered(vectors)).toBeCloseTo(metrics.full.tripletAccuracy, 3);
    expect(mean(dataset.relatedPairs)).toBeCloseTo(metrics.full.meanRelatedCosine, 3);
    // Truncated (Matryoshka) vectors keep most of the ordering.
    expect(ordered(vectors.map((vector) => truncateEmbedding(vector, 64)))).toBeGreaterThanOrEqual(0.75);
  });

  it('embeds a text the same alone and padded in a batch with longer texts', async () => {
    const [alone] = await embed(['We will cut taxes.']);
    const [padded] = await embed([
      'We will cut taxes.',
      'Our schools need more teachers and our roads need repair.',
    ]);
    for (let index = 0; index < config.dimensions; index++)
      expect(padded![index]).toBeCloseTo(alone![index]!, 5);
  });
});

describe('ref-classify', () => {
  const metrics = readModelJson<{
    heldOut: { accuracy: number; precision: number; recall: number; f1: number };
  }>('ref-classify', 'metrics.json');

  it('reproduces the held-out metrics of its card and clearly beats chance', async () => {
    const session = await createSession(builtInModelFile('ref-classify'));
    const { heldOut } = loadSentimentDataset();
    const features = new Float32Array(heldOut.length * 100);
    heldOut.forEach((sentence, row) => {
      features.set(hashedBagOfWords(sentence.text), row * 100);
    });
    const output = await session.run({ input: new Tensor('float32', features, [heldOut.length, 100]) });
    expect(output.probability!.dims).toEqual([heldOut.length, 1]);
    const probabilities = output.probability!.data as Float32Array;
    let truePositives = 0;
    let falsePositives = 0;
    let falseNegatives = 0;
    let correct = 0;
    heldOut.forEach((sentence, row) => {
      const predicted = probabilities[row]! >= 0.5 ? 1 : 0;
      if (predicted === sentence.label) correct++;
      if (predicted === 1 && sentence.label === 1) truePositives++;
      if (predicted === 1 && sentence.label === 0) falsePositives++;
      if (predicted === 0 && sentence.label === 1) falseNegatives++;
    });
    const accuracy = correct / heldOut.length;
    const precision = truePositives / (truePositives + falsePositives);
    const recall = truePositives / (truePositives + falseNegatives);
    const f1 = (2 * precision * recall) / (precision + recall);

    expect(heldOut.filter((sentence) => sentence.label === 1).length).toBe(heldOut.length / 2);
    expect(accuracy).toBeCloseTo(metrics.heldOut.accuracy, 3);
    expect(precision).toBeCloseTo(metrics.heldOut.precision, 3);
    expect(recall).toBeCloseTo(metrics.heldOut.recall, 3);
    expect(f1).toBeCloseTo(metrics.heldOut.f1, 3);
    expect(accuracy).toBeGreaterThanOrEqual(refClassifySettings.requiredAccuracy);
    expect(f1).toBeGreaterThanOrEqual(refClassifySettings.requiredF1);
  });
});
