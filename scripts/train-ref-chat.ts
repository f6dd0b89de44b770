/**
 * Trains ref-chat, a small neural language model, on the State of the Union corpus in
 * scripts/data, exports it to ONNX and writes models/ref-chat/ (model, tokenizer, config,
 * metrics and model card). Deterministic: same data and seed, same weights.
 *
 * Run: npx tsx scripts/train-ref-chat.ts
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ChatGenerator } from '../src/server/generation/chat-generator.js';
import { renderChatPrompt } from '../src/server/generation/chat-template.js';
import { SeededRandom } from '../src/server/generation/seeded-random.js';
import { buildContextWindows, toInt64 } from '../src/server/training/context-windows.js';
import { trainWindowModel } from '../src/server/training/train-window-model.js';
import { WindowLanguageModel } from '../src/server/training/window-language-model.js';
import { windowModelToOnnx } from '../src/server/training/window-model-onnx.js';
import { buildLocalTokenizerFile, createTokenizer, tokenizeDocuments } from './lib/local-vocabulary.js';
import { formatJson, round, writeModelFiles } from './lib/model-output.js';
import {
  createSession,
  meanNegativeLogLikelihood,
  sessionLogitsFunction,
} from './lib/onnx-runtime-helpers.js';
import { refChatCard } from './lib/ref-chat-card.js';
import { loadChatCorpus } from './lib/state-of-the-union-corpus.js';

export const refChatSettings = {
  seed: 1993,
  /** Plus unknown and end-of-text: 4096 = 64 classes of 64 ids. */
  localVocabularySize: 4094,
  classCount: 64,
  classSize: 64,
  contextLength: 8,
  embeddingSize: 32,
  hiddenSize: 128,
  batchSize: 128,
  epochs: 3,
  learningRate: 0.003,
  /** The learning rate decays linearly to this fraction of its start by the last step. */
  finalLearningRateFraction: 0.1,
  /** The card's promise, checked by test/integration/model-quality.test.ts. */
  requiredPerplexityReduction: 0.25,
} as const;

export interface RefChatMetrics {
  trainingTokens: number;
  heldOutTokens: number;
  heldOutYears: number[];
  perplexity: number;
  unigramPerplexity: number;
  perplexityReduction: number;
  requiredPerplexityReduction: number;
  unknownTokenShare: number;
  trainingSeconds: number;
}

export async function trainRefChat(): Promise<RefChatMetrics> {
  const settings = refChatSettings;
  const started = performance.now();
  const corpus = loadChatCorpus();
  const tokenizerFile = buildLocalTokenizerFile(corpus.training, settings.localVocabularySize);
  const tokenizer = createTokenizer(tokenizerFile, settings.contextLength);
  const vocabSize = tokenizer.vocabSize;
  const training = buildContextWindows(
    tokenizeDocuments(tokenizer, corpus.training),
    settings.contextLength,
    tokenizer.padId,
  );
  const heldOut = buildContextWindows(
    tokenizeDocuments(tokenizer, corpus.heldOut),
    settings.contextLength,
    tokenizer.padId,
  );
  const unigramCounts = new Float64Array(vocabSize);
  for (const target of training.targets) unigramCounts[target]!++;
  console.log(
    `ref-chat: ${training.count} training tokens, ${heldOut.count} held-out, vocabulary ${vocabSize}`,
  );

  const random = new SeededRandom(settings.seed);
  const model = WindowLanguageModel.initialize(
    {
      vocabSize,
      contextLength: settings.contextLength,
      embeddingSize: settings.embeddingSize,
      hiddenSize: settings.hiddenSize,
      classCount: settings.classCount,
      classSize: settings.classSize,
    },
    random.next,
    unigramCounts,
  );
  trainWindowModel(model, random, training, undefined, settings, {
    onEpoch({ epoch, trainLoss }) {
      const seconds = ((performance.now() - started) / 1000).toFixed(0);
      console.log(
        `ref-chat: epoch ${epoch}, training perplexity ${Math.exp(trainLoss).toFixed(1)} (${seconds} s)`,
      );
    },
  });
  const trainingSeconds = (performance.now() - started) / 1000;

  const onnx = windowModelToOnnx(model, {
    name: 'ref-chat',
    producer: 'aiaas-scripts',
    description: 'Fixed-window neural language model over a local o200k vocabulary (aiaas reference model).',
    metadata: {
      'aiaas.model': 'ref-chat',
      'aiaas.context_length': String(settings.contextLength),
      'aiaas.vocab_size': String(vocabSize),
    },
  });
  const config = {
    name: 'ref-chat',
    task: 'text-generation',
    version: '1',
    onnxFile: '1/model.onnx',
    tokenizerFile: 'tokenizer.json',
    architecture:
      'fixed-window neural language model (embeddings of the last tokens, concatenated -> tanh -> logits)',
    contextLength: settings.contextLength,
    vocabSize,
    embeddingSize: settings.embeddingSize,
    hiddenSize: settings.hiddenSize,
    outputClasses: { count: settings.classCount, size: settings.classSize },
    unknownId: tokenizer.unknownId,
    endOfTextId: tokenizer.endOfTextId,
    padId: tokenizer.padId,
    chatTemplate: 'System: {system}\\nUser: {user}\\nAssistant: {assistant}\\n...\\nAssistant:',
    inputs: [{ name: 'context', type: 'int64', shape: ['batch', settings.contextLength] }],
    outputs: [{ name: 'logits', type: 'float32', shape: ['batch', vocabSize] }],
  };
  const modelDirectory = writeModelFiles('ref-chat', {
    '1/model.onnx': onnx,
    'tokenizer.json': `${JSON.stringify(tokenizerFile)}\n`,
    'config.json': formatJson(config),
  });

  // Metrics come from the exported file run by onnxruntime, the same path the server and the tests use.
  const session = await createSession(join(modelDirectory, '1', 'model.onnx'));
  const logits = sessionLogitsFunction(session, settings.contextLength);
  const heldOutLoss = await meanNegativeLogLikelihood(
    logits,
    toInt64(heldOut.contexts),
    heldOut.targets,
    settings.contextLength,
    vocabSize,
  );
  const trainingTotal = training.count + vocabSize;
  let unigramLoss = 0;
  for (const target of heldOut.targets) unigramLoss -= Math.log((unigramCounts[target]! + 1) / trainingTotal);
  unigramLoss /= heldOut.count;
  const perplexity = Math.exp(heldOutLoss);
  const unigramPerplexity = Math.exp(unigramLoss);
  const unknownCount = heldOut.targets.reduce(
    (count, target) => count + (target === tokenizer.unknownId ? 1 : 0),
    0,
  );
  const metrics: RefChatMetrics = {
    trainingTokens: training.count,
    heldOutTokens: heldOut.count,
    heldOutYears: corpus.heldOutYears,
    perplexity: round(perplexity, 2),
    unigramPerplexity: round(unigramPerplexity, 2),
    perplexityReduction: round(1 - perplexity / unigramPerplexity),
    requiredPerplexityReduction: settings.requiredPerplexityReduction,
    unknownTokenShare: round(unknownCount / heldOut.count),
    trainingSeconds: round(trainingSeconds, 1),
  };

  const generator = new ChatGenerator(tokenizer, logits);
  const samples: { prompt: string; settings: string; text: string }[] = [];
  const prompts = ['What should we do about the economy?', 'Tell me about our schools.'];
  for (const prompt of prompts) {
    const promptIds = tokenizer.encode(renderChatPrompt([{ role: 'user', content: prompt }]));
    for (const temperature of [0, 0.8]) {
      const options = { temperature, topP: 0.95, topK: 40, seed: 7, maxTokens: 60, stop: ['\nUser:'] };
      const run = generator.generate(promptIds, options);
      let next = await run.next();
      while (!next.done) next = await run.next();
      samples.push({
        prompt,
        settings: `temperature ${temperature}, top_p 0.95, top_k 40, seed 7`,
        text: next.value.text,
      });
    }
  }
  writeModelFiles('ref-chat', {
    'metrics.json': formatJson(metrics),
    'README.md': refChatCard({ settings, metrics, vocabSize, samples }),
  });
  console.log(
    `ref-chat: held-out perplexity ${metrics.perplexity} vs unigram ${metrics.unigramPerplexity} ` +
      `(${(metrics.perplexityReduction * 100).toFixed(1)}% lower), ${metrics.trainingSeconds} s`,
  );
  return metrics;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await trainRefChat();
