/**
 * Dynamic and continuous batching of the reference server, measured side by side in one run:
 * embeddings requests per second at concurrency 32 with batching on and off, and ref-chat
 * tokens per second with 1 and 8 concurrent generations. Run: `npx tsx bench/server-batching.ts`.
 */
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../src/server/index.js';

const durationMs = Number(process.env.BENCH_DURATION_MS ?? 3000);

async function post(url: string, body: unknown): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return response.json();
}

/** Runs `concurrency` loops of `call` for `durationMs`; returns calls per second and the summed `units`. */
async function load(concurrency: number, call: (index: number) => Promise<number>) {
  const deadline = performance.now() + durationMs;
  let calls = 0;
  let units = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let index = worker; performance.now() < deadline; index += concurrency) {
        const done = await call(index);
        units += done;
        calls++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { perSecond: calls / seconds, unitsPerSecond: units / seconds };
}

async function withServer<T>(batching: boolean, run: (server: ReferenceServer) => Promise<T>): Promise<T> {
  const server = await startReferenceServer({ port: 0, batching, logger: silentServerLogger });
  try {
    return await run(server);
  } finally {
    await server.close();
  }
}

const sentence = (index: number) => `The president spoke about jobs, schools and taxes, number ${index}.`;
const embeddings = async (server: ReferenceServer) =>
  load(32, async (index) => {
    await post(`${server.url}/v1/embeddings`, { model: 'ref-embed', input: sentence(index) });
    return 1;
  });
const chat = (server: ReferenceServer, concurrency: number) =>
  load(concurrency, async (index) => {
    const answer = (await post(`${server.url}/v1/completions`, {
      model: 'ref-chat',
      prompt: `User: ${sentence(index)}\nAssistant:`,
      max_tokens: 64,
      temperature: 0.8,
      seed: index,
      stop: [],
    })) as { usage: { completion_tokens: number } };
    return answer.usage.completion_tokens;
  });

const embedOn = await withServer(true, embeddings);
const embedOff = await withServer(false, embeddings);
console.log(
  `embeddings, concurrency 32: batching on ${embedOn.perSecond.toFixed(0)} req/s, off ${embedOff.perSecond.toFixed(0)} req/s, ratio ${(embedOn.perSecond / embedOff.perSecond).toFixed(2)}`,
);
const chatResults = await withServer(true, async (server) => ({
  one: await chat(server, 1),
  eight: await chat(server, 8),
}));
const chatOff = await withServer(false, (server) => chat(server, 8));
console.log(
  `ref-chat tokens/s: 1 concurrent ${chatResults.one.unitsPerSecond.toFixed(0)}, 8 concurrent ${chatResults.eight.unitsPerSecond.toFixed(0)} (ratio ${(chatResults.eight.unitsPerSecond / chatResults.one.unitsPerSecond).toFixed(2)}); 8 concurrent without batching ${chatOff.unitsPerSecond.toFixed(0)}`,
);
