import OpenAI from 'openai';
import { Agent, request } from 'undici';
import { loadSdk } from '../harness/load-sdk.js';

/** One client's way of opening a chat stream, waiting for its first event, and later closing it. */
export interface IdleStreamHolder {
  /** Resolves once the stream is open and its first event has been received. */
  open(): Promise<() => void>;
  close(): Promise<void>;
}

export const holderNames = ['aiaas', 'undici', 'openai'] as const;
export type HolderName = (typeof holderNames)[number];

export const holderLabels: Record<HolderName, string> = {
  aiaas: 'AiaasClient stream',
  undici: 'raw undici.request body',
  openai: 'openai v6 stream',
};

const params = {
  model: 'bench-model',
  messages: [{ role: 'user' as const, content: 'Wait for it.' }],
};
const apiKey = 'sk-bench';

export async function createHolder(name: HolderName, apiRoot: string): Promise<IdleStreamHolder> {
  if (name === 'aiaas') {
    const { AiaasClient } = await loadSdk();
    // No connection cap: each idle stream holds its own socket, as with the other clients.
    const client = new AiaasClient({ baseURL: apiRoot, apiKey, provider: 'openai' });
    return {
      async open() {
        // stream() resolves once the first event has arrived.
        const stream = await client.chat.completions.stream(params);
        return () => stream.abort();
      },
      close: () => client.close(),
    };
  }
  if (name === 'undici') {
    const agent = new Agent({ keepAliveTimeout: 10_000 });
    return {
      async open() {
        const response = await request(`${apiRoot}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
          body: JSON.stringify({ ...params, stream: true }),
          dispatcher: agent,
        });
        const body = response.body as AsyncIterable<Buffer> & { destroy(): void };
        await body[Symbol.asyncIterator]().next();
        return () => body.destroy();
      },
      close: () => agent.close(),
    };
  }
  const openai = new OpenAI({ baseURL: apiRoot, apiKey });
  return {
    async open() {
      const stream = await openai.chat.completions.create({ ...params, stream: true });
      await stream[Symbol.asyncIterator]().next();
      return () => stream.controller.abort();
    },
    close: async () => {},
  };
}
