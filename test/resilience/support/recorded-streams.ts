import fc from 'fast-check';
import type { ReferenceServer } from '../../../src/server/index.js';
import { fixtureText } from '../../support/fixture-files.js';
import { recordedChatEvents } from '../../unit/streaming/stream-fixtures.js';

/** A whole streamed answer as it came off the wire. */
export interface RecordedStream {
  readonly name: string;
  readonly format: 'sse' | 'ndjson';
  readonly data: Uint8Array;
}

const encoder = new TextEncoder();

/** The raw bytes of one streamed answer of the reference server (usage included). */
export async function recordFromServer(
  server: ReferenceServer,
  path: string,
  body: Record<string, unknown>,
): Promise<Uint8Array> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
  });
  if (response.status !== 200) throw new Error(`recording ${path} answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Valid streams to fuzz from: two recorded from the reference server (chat with two choices,
 * a text completion), one with multi-byte text and CRLF line ends, and the OpenAI, vLLM and
 * Ollama recordings under test/fixtures.
 */
export async function recordStreams(server: ReferenceServer): Promise<RecordedStream[]> {
  const chat = {
    model: 'ref-chat',
    messages: [{ role: 'user', content: 'Tell me about jobs' }],
    max_tokens: 20,
  };
  const completion = { model: 'ref-chat', prompt: 'The economy', max_tokens: 16 };
  const multiByte = recordedChatEvents(['Grüße ', '日本語 ', '🙂👍🏽', ' ok'])
    .join('')
    .replace(/\n/g, '\r\n');
  return [
    {
      name: 'server chat n=2',
      format: 'sse',
      data: await recordFromServer(server, '/v1/chat/completions', { ...chat, n: 2 }),
    },
    {
      name: 'server completion',
      format: 'sse',
      data: await recordFromServer(server, '/v1/completions', completion),
    },
    { name: 'multi-byte CRLF', format: 'sse', data: encoder.encode(multiByte) },
    {
      name: 'openai fixture',
      format: 'sse',
      data: encoder.encode(fixtureText('openai/chat-completion-stream.sse')),
    },
    {
      name: 'vllm fixture',
      format: 'sse',
      data: encoder.encode(fixtureText('vllm/chat-completion-stream.sse')),
    },
    {
      name: 'ollama fixture',
      format: 'ndjson',
      data: encoder.encode(fixtureText('ollama/chat-stream.ndjson')),
    },
  ];
}

/** Picks one of the recordings; a failing case prints its name, not its kilobytes. */
export function recordingArbitrary(recorded: readonly RecordedStream[]): fc.Arbitrary<RecordedStream> {
  return fc.constantFrom(
    ...recorded.map((stream) => Object.assign({ ...stream }, { [fc.toStringMethod]: () => stream.name })),
  );
}
