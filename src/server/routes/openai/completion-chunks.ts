import type { ChatChunkStreamInit } from './chat-completion-chunks.js';
import { usageOf } from './completion-identity.js';
import { interleaveGenerations } from './interleaved-generations.js';

export interface CompletionChunkStreamInit extends ChatChunkStreamInit {
  /** Text sent first for each choice when the request asked for `echo`. */
  echoes: readonly string[] | undefined;
}

/**
 * The `data` payloads of a streamed text completion: text chunks per choice, a
 * `finish_reason` chunk per choice, the usage chunk (`choices: []`) when asked, `[DONE]`.
 *
 * @example
 * return eventStreamResponse(completionChunks({ id, created, model, ... }));
 */
export async function* completionChunks(init: CompletionChunkStreamInit): AsyncGenerator<string> {
  const envelope = {
    id: init.id,
    object: 'text_completion',
    created: init.created,
    model: init.model,
    system_fingerprint: init.systemFingerprint,
  };
  const usageField = init.includeUsage ? { usage: null } : {};
  const chunk = (choice: number, text: string, finishReason: string | null) =>
    JSON.stringify({
      ...envelope,
      choices: [{ index: choice, text, logprobs: null, finish_reason: finishReason }],
      ...usageField,
    });

  if (init.echoes !== undefined) {
    for (const [choice, echo] of init.echoes.entries()) yield chunk(choice, echo, null);
  }
  let completionTokens = 0;
  for await (const event of interleaveGenerations(init.runs)) {
    if (event.kind === 'delta') {
      yield chunk(event.choice, event.text, null);
      continue;
    }
    completionTokens += event.result.completionTokens;
    yield chunk(event.choice, '', event.result.finishReason);
  }
  if (init.includeUsage) {
    yield JSON.stringify({
      ...envelope,
      choices: [],
      usage: usageOf(init.promptTokens, completionTokens, init.meter),
    });
  }
  yield '[DONE]';
}
