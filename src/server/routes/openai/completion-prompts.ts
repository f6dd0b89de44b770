import type { CompletionRequest } from '../../../wire/openai/completion-schemas.js';
import type { ChatTokenizer } from '../../generation/chat-tokenizer.js';
import { badRequest } from '../../http/http-error.js';

/** One prompt of a text completion request: its token ids and its text (for `echo`). */
export interface CompletionPrompt {
  ids: number[];
  text: string;
}

function isTokenIdList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'number');
}

function checkedIds(ids: number[], tokenizer: ChatTokenizer, param: string): number[] {
  const outside = ids.findIndex((id) => id >= tokenizer.vocabSize);
  if (outside !== -1) {
    throw badRequest(
      `Token id ${ids[outside]} is outside the vocabulary of ${tokenizer.vocabSize} tokens.`,
      `${param}.${outside}`,
    );
  }
  return ids;
}

/**
 * The prompts of `POST /v1/completions`, which may be a string, strings, token ids, or lists
 * of token ids; ids are checked against the model's vocabulary.
 *
 * @example
 * completionPrompts('Once upon', tokenizer); // [{ ids: [...], text: 'Once upon' }]
 */
export function completionPrompts(
  prompt: CompletionRequest['prompt'],
  tokenizer: ChatTokenizer,
): CompletionPrompt[] {
  if (typeof prompt === 'string') return [{ ids: tokenizer.encode(prompt), text: prompt }];
  if (isTokenIdList(prompt)) {
    const ids = checkedIds(prompt, tokenizer, 'prompt');
    return [{ ids, text: tokenizer.decode(ids) }];
  }
  return prompt.map((entry, index) => {
    if (typeof entry === 'string') return { ids: tokenizer.encode(entry), text: entry };
    const ids = checkedIds(entry, tokenizer, `prompt.${index}`);
    return { ids, text: tokenizer.decode(ids) };
  });
}
