import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { parseEventStream, type ServerSentEvent } from './server-test-client.js';

/** Helpers for the request-pipeline tests: raw sockets, so partial and broken answers are visible. */

export interface RawAnswer {
  /** Undefined when the connection broke before a status line. */
  status: number | undefined;
  headers: IncomingHttpHeaders;
  text: string;
  /** The connection broke before the answer ended. */
  broken: boolean;
  /** The socket error code when it broke (ECONNRESET…). */
  errorCode: string | undefined;
}

export interface RawRequestInit {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request on a fresh connection, read to its end or its break; never rejects. */
export function rawRequest(url: string, init: RawRequestInit = {}): Promise<RawAnswer> {
  const target = new URL(url);
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  return new Promise((resolve) => {
    let answer: RawAnswer = { status: undefined, headers: {}, text: '', broken: true, errorCode: undefined };
    let done = false;
    const finish = (update: Partial<RawAnswer>) => {
      if (done) return;
      done = true;
      answer = { ...answer, ...update };
      resolve(answer);
    };
    const request = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: init.method ?? (body === undefined ? 'GET' : 'POST'),
        agent: false,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...init.headers,
        },
      },
      (response) => {
        answer.status = response.statusCode;
        answer.headers = response.headers;
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          answer.text += chunk;
        });
        response.on('end', () => finish({ broken: !response.complete }));
        response.on('error', (error: NodeJS.ErrnoException) =>
          finish({ broken: true, errorCode: error.code }),
        );
        response.on('aborted', () => finish({ broken: true }));
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => finish({ broken: true, errorCode: error.code }));
    request.end(body);
  });
}

/** The events of a raw answer's body. */
export function eventsOf(answer: RawAnswer): ServerSentEvent[] {
  return parseEventStream(answer.text);
}

/** The text a chat stream's events add up to. */
export function chatTextOf(events: readonly ServerSentEvent[]): string {
  let text = '';
  for (const event of events) {
    if (event.data === '[DONE]') continue;
    const chunk = JSON.parse(event.data) as { choices: { delta?: { content?: string } }[] };
    for (const choice of chunk.choices) text += choice.delta?.content ?? '';
  }
  return text;
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A chat request long enough to be cut anywhere: greedy, so every run produces the same tokens. */
export const longChat = {
  model: 'ref-chat',
  messages: [{ role: 'user', content: 'Tell me a long story about the sea.' }],
  max_tokens: 40,
  temperature: 0,
  stream: true,
  stream_options: { include_usage: true },
};

/** Polls until `check` returns a value, for work that ends after the answer (a recorded generation). */
export async function eventually<Value>(
  check: () => Promise<Value | undefined>,
  timeoutMs = 10_000,
): Promise<Value> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('The condition did not hold in time.');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
