import {
  createSession,
  meanNegativeLogLikelihood,
  sessionLogitsFunction,
} from '../../scripts/lib/onnx-runtime-helpers.js';
import { parseChatFile, trainedWindows } from '../../src/server/fine-tuning/chat-training-data.js';
import { refChatTokenizer } from '../../src/server/models/ref-chat-base.js';
import { toInt64 } from '../../src/server/training/context-windows.js';

const topics = [
  'the economy',
  'our schools',
  'new jobs',
  'taxes',
  'energy',
  'health care',
  'trade',
  'our security',
];
const promises = ['this year', 'together', 'for every family', 'without delay'];

/**
 * A chat JSONL of `count` conversations in one pattern the base ref-chat never saw (in words its
 * vocabulary knows, so the tuned model can say them).
 */
export function policyConversations(count: number, offset = 0): string {
  const lines: string[] = [];
  for (let index = offset; index < offset + count; index++) {
    const topic = topics[index % topics.length]!;
    const promise = promises[Math.floor(index / topics.length) % promises.length]!;
    lines.push(
      JSON.stringify({
        messages: [
          { role: 'system', content: 'You answer in one sentence.' },
          { role: 'user', content: `What will you do about ${topic}?` },
          { role: 'assistant', content: `We will act on ${topic} ${promise}, and we will not wait.` },
        ],
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Perplexity of a ref-chat-like ONNX file on the assistant tokens of a chat JSONL text (the
 * tokens a job trains on), run by onnxruntime.
 */
export async function assistantPerplexity(modelPath: string, text: string): Promise<number> {
  const tokenizer = await refChatTokenizer();
  const documents = await parseChatFile(Buffer.from(text), 'file', tokenizer, 'training_file');
  const windows = trainedWindows(documents, tokenizer.contextLength, tokenizer.padId);
  const session = await createSession(modelPath);
  try {
    const loss = await meanNegativeLogLikelihood(
      sessionLogitsFunction(session, tokenizer.contextLength),
      toInt64(windows.contexts),
      windows.targets,
      tokenizer.contextLength,
      tokenizer.vocabSize,
    );
    return Math.exp(loss);
  } finally {
    await session.release();
  }
}

/** The number of windows (assistant tokens) a job trains on per epoch for this text. */
export async function trainedTokenCount(text: string): Promise<number> {
  const tokenizer = await refChatTokenizer();
  const documents = await parseChatFile(Buffer.from(text), 'file', tokenizer, 'training_file');
  return trainedWindows(documents, tokenizer.contextLength, tokenizer.padId).count;
}
