import type { UsageMeter } from '../../http/usage-meter.js';
import { usageOf } from './completion-identity.js';
import { type GenerationRun, interleaveGenerations } from './interleaved-generations.js';

export interface CompletionChunkStreamInit {
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
