import { Readable } from 'node:stream';

/** Recorded-stream builders shared by the streaming tests (unit and integration). */

const encoder = new TextEncoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export interface ChunkChoice {
  index?: number;
  content?: string;
  toolCalls?: { index: number; id?: string; name?: string; arguments?: string }[];
  finishReason?: string | null;
}

/** One `chat.completion.chunk` as JSON text. */
export function chatChunk(choices: ChunkChoice[], usage?: Record<string, unknown>): string {
  return JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'ref-chat',
    choices: choices.map((choice) => ({
      index: choice.index ?? 0,
      delta: {
        ...(choice.content === undefined ? {} : { content: choice.content }),
        ...(choice.toolCalls === undefined
          ? {}
          : {
              tool_calls: choice.toolCalls.map((call) => ({
                index: call.index,
                ...(call.id === undefined ? {} : { id: call.id, type: 'function' }),
                function: {
                  ...(call.name === undefined ? {} : { name: call.name }),
                  arguments: call.arguments ?? '',
                },
              })),
            }),
      },
      finish_reason: choice.finishReason ?? null,
    })),
    ...(usage === undefined ? {} : { usage }),
  });
}

export const REPORTED_USAGE = { prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 };

/** One SSE event with an id. */
export function sseEvent(id: number | undefined, data: string, eventName?: string): string {
  return `${id === undefined ? '' : `id: ${id}\n`}${eventName === undefined ? '' : `event: ${eventName}\n`}data: ${data}\n\n`;
}

/**
 * The events of a complete chat stream for `pieces` of text: a role chunk, one chunk per
 * piece, a finish chunk, the usage chunk and `[DONE]`, numbered from 1.
 */
export function recordedChatEvents(pieces: readonly string[], usage = REPORTED_USAGE): string[] {
  const datas = [
    JSON.stringify({
      id: 'chatcmpl-test',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'ref-chat',
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
    }),
    ...pieces.map((piece) => chatChunk([{ content: piece }])),
    chatChunk([{ finishReason: 'stop' }]),
    JSON.stringify({
      id: 'chatcmpl-test',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'ref-chat',
      choices: [],
      usage,
    }),
    '[DONE]',
  ];
  return datas.map((data, index) => sseEvent(index + 1, data));
}

/** An async generator over byte chunks; counts how many chunks were pulled and whether it was closed. */
export function countingBody(
  chunks: readonly Uint8Array[],
): AsyncIterable<Uint8Array> & { pulled: number; closed: boolean } {
  const state = {
    pulled: 0,
    closed: false,
    async *[Symbol.asyncIterator]() {
      try {
        for (const chunk of chunks) {
          state.pulled += 1;
          yield chunk;
        }
      } finally {
        state.closed = true;
      }
    },
  };
  return state;
}

/** A body that yields `chunks`, then fails the way undici does when a socket is cut. */
export async function* brokenBody(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  yield* chunks;
  throw new TypeError('terminated');
}

/** A Node Readable (like undici's body) that sends `chunks` and then never ends: a stalled server. */
export function stalledReadable(chunks: readonly Uint8Array[]): Readable {
  const readable = new Readable({ read() {} });
  for (const chunk of chunks) readable.push(chunk);
  return readable;
}

export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
