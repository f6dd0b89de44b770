import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChatTokenizer } from '../generation/chat-tokenizer.js';
import type { WindowLanguageModelShape } from '../training/window-language-model.js';
import { builtInModelsDir } from './model-files.js';
import type { ModelVersionEntry } from './model-registry.js';

export const refChatDirectory = join(builtInModelsDir, 'ref-chat');

interface RefChatConfig {
  contextLength: number;
  vocabSize: number;
  embeddingSize: number;
  hiddenSize: number;
  outputClasses: { count: number; size: number };
}

let shape: WindowLanguageModelShape | undefined;
let tokenizer: Promise<ChatTokenizer> | undefined;

/** ref-chat's network sizes, from its config.json (read once). */
export function refChatShape(): WindowLanguageModelShape {
  if (shape !== undefined) return shape;
  const config = JSON.parse(readFileSync(join(refChatDirectory, 'config.json'), 'utf8')) as RefChatConfig;
  shape = {
    vocabSize: config.vocabSize,
    contextLength: config.contextLength,
    embeddingSize: config.embeddingSize,
    hiddenSize: config.hiddenSize,
    classCount: config.outputClasses.count,
    classSize: config.outputClasses.size,
  };
  return shape;
}

/** ref-chat's tokenizer (loaded once): chat training files are tokenized as the served model reads them. */
export function refChatTokenizer(): Promise<ChatTokenizer> {
  tokenizer ??= ChatTokenizer.load(refChatDirectory);
  return tokenizer;
}

/** Whether a served model is ref-chat or a fine-tune of it: its int64 context in, its vocabulary's log-probabilities out. */
export function isRefChatLike(entry: ModelVersionEntry): boolean {
  const { contextLength, vocabSize } = refChatShape();
  const [input] = entry.signature.inputs;
  const [output] = entry.signature.outputs;
  return (
    entry.signature.inputs.length === 1 &&
    entry.signature.outputs.length === 1 &&
    input?.type === 'int64' &&
    input.shape.at(-1) === contextLength &&
    output?.type === 'float32' &&
    output.shape.at(-1) === vocabSize
  );
}
