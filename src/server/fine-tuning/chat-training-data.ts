import { renderChatPrompt } from '../generation/chat-template.js';
import type { ChatTokenizer } from '../generation/chat-tokenizer.js';
import type { TemplateMessage } from '../generation/model-contracts.js';
import { buildContextWindows, type ContextWindows } from '../training/context-windows.js';
import { TrainingDataError } from './training-data.js';

const roles = new Set(['system', 'user', 'assistant']);

/** One conversation as the model reads it: its tokens and which of them are trained (the assistant's). */
export interface ChatDocument {
  ids: Int32Array;
  /** 1 where the token is an assistant's reply (or the end-of-text after it): the loss is taken there only. */
  trained: Uint8Array;
}

type Conversation = { messages: TemplateMessage[]; weights: number[] };

/** A message's text: a string, or OpenAI's content parts when all are text (`{type: 'text', text}`). */
function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  let text = '';
  for (const part of content) {
    const { type, text: partText } = (part ?? {}) as { type?: unknown; text?: unknown };
    if (type !== 'text' || typeof partText !== 'string') return undefined;
    text += partText;
  }
  return text;
}

/** The line's conversation, or the fault that makes it unusable. */
function conversationOf(value: unknown): Conversation | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'not a JSON object with "messages"';
  const { messages } = value as { messages?: unknown };
  if (!Array.isArray(messages) || messages.length === 0) return '"messages" must be a non-empty array';
  const conversation: Conversation = { messages: [], weights: [] };
  for (const [index, message] of messages.entries()) {
    const at = `messages[${index}]`;
    if (typeof message !== 'object' || message === null) return `${at} is not an object`;
    const { role, content, weight } = message as { role?: unknown; content?: unknown; weight?: unknown };
    if (typeof role !== 'string' || !roles.has(role))
      return `${at}.role is ${JSON.stringify(role)}; use "system", "user" or "assistant"`;
    const text = textOf(content);
    if (text === undefined) return `${at}.content must be text (or an array of text parts)`;
    if (weight !== undefined && weight !== 0 && weight !== 1) return `${at}.weight must be 0 or 1`;
    conversation.messages.push({ role: role as TemplateMessage['role'], content: text });
    conversation.weights.push(weight === 0 ? 0 : 1);
  }
  const last = conversation.messages.at(-1)!;
  if (!conversation.messages.some((message) => message.role === 'assistant'))
    return 'no assistant message: each conversation needs at least one reply to learn';
  if (last.role !== 'assistant')
    return `the conversation ends with a ${last.role} message; it must end with the assistant's reply`;
  return conversation;
}

/**
 * The conversation as ref-chat's training documents are built: the chat template over every
 * message before the last, then ` <last reply>`, tokenized whole, then end-of-text. The
 * assistant's replies (weight 1), with the newline or end-of-text ending them, are the trained tokens.
 */
export function chatDocument(tokenizer: ChatTokenizer, { messages, weights }: Conversation): ChatDocument {
  const text = `${renderChatPrompt(messages.slice(0, -1))} ${messages.at(-1)!.content}`;
  const ids = Int32Array.from([...tokenizer.encode(text), tokenizer.endOfTextId]);
  const trained = new Uint8Array(ids.length);
  // Offsets and token counts advance message by message, so a long conversation costs one pass.
  const closing = renderChatPrompt([]).length; // the 'Assistant:' the template ends with
  let lineStart = 0;
  let countedTo = 0;
  let counted = 0;
  const tokensBefore = (offset: number) => {
    counted += tokenizer.countTokens(text.slice(countedTo, offset));
    countedTo = offset;
    return Math.min(counted, ids.length);
  };
  messages.forEach((message, index) => {
    if (message.role === 'assistant' && weights[index] === 1) {
      // The reply's tokens: the template puts a space before it and a newline (or end-of-text) after.
      const start = lineStart + closing;
      const first = tokensBefore(start);
      const end =
        index === messages.length - 1 ? ids.length : tokensBefore(start + 2 + message.content.length);
      trained.fill(1, first, end);
    }
    lineStart += renderChatPrompt([message]).length - closing;
  });
  return { ids, trained };
}

/** Lines parsed between two turns of the event loop. */
const linesPerTurn = 200;
/**
 * The longest line read, in characters: a line is tokenized on the event loop in one go, so a
 * longer one is refused before it is parsed (a conversation of 1 MiB of text is far past anything
 * ref-chat's 8-token context learns from).
 */
export const maxChatLineLength = 1024 * 1024;

/**
 * Reads a chat-format JSONL file (`{"messages": [{"role", "content"}, ...]}` per line, OpenAI's
 * format; blank lines skipped) into ref-chat documents. The first bad line fails the file, named
 * with its line number and what is wrong; so does a file with no conversation, a line longer than
 * {@link maxChatLineLength}, or more than `maxTokens` tokens in all (reading stops there).
 *
 * @example
 * (await parseChatFile(bytes, 'file-abc', tokenizer, 'training_file')).length; // 40 conversations
 */
export async function parseChatFile(
  bytes: Buffer,
  fileId: string,
  tokenizer: ChatTokenizer,
  param: 'training_file' | 'validation_file',
  maxTokens = Number.POSITIVE_INFINITY,
): Promise<ChatDocument[]> {
  const documents: ChatDocument[] = [];
  let tokens = 0;
  const lines = bytes.toString('utf8').split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    if (line % linesPerTurn === 0) await new Promise((resolve) => setImmediate(resolve));
    if (raw.length > maxChatLineLength)
      throw new TrainingDataError(
        `${param} ${fileId}, line ${line}: ${raw.length} characters long; a line may hold at most ${maxChatLineLength}.`,
        param,
      );
    const text = raw.trim();
    if (text === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new TrainingDataError(
        `${param} ${fileId}, line ${line}: not valid JSON (${(error as Error).message}).`,
        param,
      );
    }
    const conversation = conversationOf(value);
    if (typeof conversation === 'string')
      throw new TrainingDataError(`${param} ${fileId}, line ${line}: ${conversation}.`, param);
    const document = chatDocument(tokenizer, conversation);
    tokens += document.ids.length;
    if (tokens > maxTokens)
      throw new TrainingDataError(
        `${param} ${fileId} holds more than ${maxTokens} tokens, the most a job trains on (maxFineTuningTrainingTokens): ${tokens} by line ${line}.`,
        param,
        'too_many_tokens',
      );
    documents.push(document);
  }
  if (documents.length === 0)
    throw new TrainingDataError(`${param} ${fileId} holds no conversations (the file is empty).`, param);
  return documents;
}

/** The next-token windows whose target is a trained token, as the trainer gets them. */
export function trainedWindows(
  documents: readonly ChatDocument[],
  contextLength: number,
  padId: number,
): ContextWindows {
  const all = buildContextWindows(
    documents.map((document) => document.ids),
    contextLength,
    padId,
  );
  const keep: number[] = [];
  let example = 0;
  for (const document of documents)
    for (let position = 0; position < document.ids.length; position++, example++)
      if (document.trained[position] === 1) keep.push(example);
  const contexts = new Int32Array(keep.length * contextLength);
  for (const [row, source] of keep.entries())
    contexts.set(
      all.contexts.subarray(source * contextLength, (source + 1) * contextLength),
      row * contextLength,
    );
  return { contexts, targets: Int32Array.from(keep, (source) => all.targets[source]!), count: keep.length };
}
