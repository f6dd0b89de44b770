// Fixed OpenAI-shaped bodies, built once so the canned server spends no time making them.

const created = 1_700_000_000;
const model = 'bench-model';

/** The content of the canned completion: a short paragraph, like a typical chat answer. */
const answer =
  'Benchmarks compare each client with the fastest possible baseline on the same machine, ' +
  'in the same run, so that the ratios mean something even when the absolute numbers move.';

export const chatCompletionBody = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench-0001',
    object: 'chat.completion',
    created,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: answer, refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 14, completion_tokens: 33, total_tokens: 47 },
    system_fingerprint: 'fp_bench',
  }),
);

function chunk(delta: Record<string, unknown>, finishReason: string | null): string {
  return JSON.stringify({
    id: 'chatcmpl-bench-0002',
    object: 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: 'fp_bench',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  });
}

const words = answer.split(' ');

function event(data: string): string {
  return `data: ${data}\n\n`;
}

/** The first event of a stream: the assistant role, as OpenAI sends it. */
export const firstStreamEvent = event(chunk({ role: 'assistant', content: '' }, null));

/**
 * A whole SSE chat stream of `chunkCount` chunks (role, content words, the finishing chunk),
 * then the usage chunk and `[DONE]`, exactly as OpenAI frames it.
 */
export function chatStreamBody(chunkCount: number): Buffer {
  const events: string[] = [firstStreamEvent];
  for (let index = 1; index < chunkCount - 1; index += 1) {
    events.push(event(chunk({ content: ` ${words[index % words.length]}` }, null)));
  }
  events.push(event(chunk({}, 'stop')));
  events.push(
    event(
      JSON.stringify({
        id: 'chatcmpl-bench-0002',
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: 'fp_bench',
        choices: [],
        usage: { prompt_tokens: 14, completion_tokens: chunkCount - 2, total_tokens: chunkCount + 12 },
      }),
    ),
  );
  events.push(event('[DONE]'));
  return Buffer.from(events.join(''));
}

/** Data events in a stream of `chunkCount` chunks, counting the usage chunk but not `[DONE]`. */
export function dataEventCount(chunkCount: number): number {
  return chunkCount + 1;
}
