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
  /** Set when each choice is a call of this tool: text goes out as its arguments, under these call ids. */
  toolCall?: { name: string; ids: readonly string[] } | undefined;
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

  const toolCall = init.toolCall;
  for (let choice = 0; choice < init.runs.length; choice++) {
    if (toolCall === undefined) yield chunk(choice, { role: 'assistant', content: '' }, null);
    else {
      const call = {
        index: 0,
        id: toolCall.ids[choice],
        type: 'function',
        function: { name: toolCall.name, arguments: '' },
      };
      yield chunk(choice, { role: 'assistant', content: null, tool_calls: [call] }, null);
    }
  }
  let completionTokens = 0;
  for await (const event of interleaveGenerations(init.runs)) {
    if (event.kind === 'delta') {
      const delta =
        toolCall === undefined
          ? { content: event.text }
          : { tool_calls: [{ index: 0, function: { arguments: event.text } }] };
      yield chunk(event.choice, delta, null);
      continue;
    }
    completionTokens += event.result.completionTokens;
    const reason = event.result.finishReason;
    yield chunk(event.choice, {}, toolCall !== undefined && reason === 'stop' ? 'tool_calls' : reason);
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
