import type { UsageMeter } from '../../http/usage-meter.js';
import { usageOf } from './completion-identity.js';
import { type GenerationRun, interleaveGenerations } from './interleaved-generations.js';

export interface ChatChunkStreamInit {
  id: string;
  created: number;
  model: string;
  systemFingerprint: string;
  promptTokens: number;
  includeUsage: boolean;
  /** The request's meter: the usage chunk reports the compute it measured. */
  meter: UsageMeter;
  /** Metered as they generate (see `meteredGeneration`): output tokens are not counted here. */
  runs: readonly GenerationRun[];
}

/**
 * The `data` payloads of a streamed chat completion: a role chunk per choice, content
 * chunks as tokens decode, a `finish_reason` chunk per choice, then (with
 * `stream_options.include_usage`) a chunk with `choices: []` and the usage, and `[DONE]`.
 *
 * @example
 * return eventStreamResponse(chatCompletionChunks({ id, created, model, ... }));
 */
export async function* chatCompletionChunks(init: ChatChunkStreamInit): AsyncGenerator<string> {
  const envelope = {
    id: init.id,
    object: 'chat.completion.chunk',
    created: init.created,
    model: init.model,
    system_fingerprint: init.systemFingerprint,
  };
  // With include_usage, OpenAI sends `usage: null` on every chunk but the last.
  const usageField = init.includeUsage ? { usage: null } : {};
  const chunk = (choice: number, delta: Record<string, unknown>, finishReason: string | null) =>
    JSON.stringify({
      ...envelope,
      choices: [{ index: choice, delta, logprobs: null, finish_reason: finishReason }],
      ...usageField,
    });

  for (let choice = 0; choice < init.runs.length; choice++) {
    yield chunk(choice, { role: 'assistant', content: '' }, null);
  }
  let completionTokens = 0;
  for await (const event of interleaveGenerations(init.runs)) {
    if (event.kind === 'delta') {
      yield chunk(event.choice, { content: event.text }, null);
      continue;
    }
    completionTokens += event.result.completionTokens;
    yield chunk(event.choice, {}, event.result.finishReason);
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
