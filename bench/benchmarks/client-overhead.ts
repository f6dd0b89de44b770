import OpenAI from 'openai';
import { Agent, request } from 'undici';
import { CannedServerProcess } from '../canned/canned-server-process.js';
import { type BenchContext, bySize } from '../harness/bench-context.js';
import { ratePerSecond, runClosedLoop } from '../harness/closed-loop.js';
import { timeWork } from '../harness/cpu-time.js';
import { runInterleaved } from '../harness/interleaved-rounds.js';
import { loadSdk } from '../harness/load-sdk.js';
import { makeFigure, makeRatio } from '../harness/result-builder.js';
import type { BenchmarkResult, Figure, Ratio } from '../harness/result-types.js';

const params = {
  model: 'bench-model',
  messages: [{ role: 'user' as const, content: 'Say hello in one short paragraph.' }],
};
const apiKey = 'sk-bench';
const contenderNames = ['aiaas', 'undici', 'openai', 'fetch'] as const;
type ContenderName = (typeof contenderNames)[number];
const labels: Record<ContenderName, string> = {
  aiaas: 'AiaasClient',
  undici: 'raw undici.request + JSON.parse',
  openai: 'openai v6',
  fetch: 'plain fetch + json()',
};

/** One chat completion call per client, each as its users would write it with default options. */
async function makeCalls(apiRoot: string) {
  const { AiaasClient } = await loadSdk();
  const url = `${apiRoot}/chat/completions`;
  const body = () => JSON.stringify(params);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  const undiciAgent = new Agent({ keepAliveTimeout: 10_000 });
  const aiaas = new AiaasClient({ baseURL: apiRoot, apiKey, provider: 'openai' });
  const openai = new OpenAI({ baseURL: apiRoot, apiKey });
  const calls: Record<ContenderName, () => Promise<unknown>> = {
    aiaas: () => aiaas.chat.completions.create(params),
    undici: async () => {
      const response = await request(url, {
        method: 'POST',
        headers,
        body: body(),
        dispatcher: undiciAgent,
      });
      const parsed = JSON.parse(await response.body.text());
      if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
      return parsed;
    },
    openai: () => openai.chat.completions.create(params),
    fetch: async () => {
      const response = await fetch(url, { method: 'POST', headers, body: body() });
      const parsed = await response.json();
      if (!response.ok) throw new Error(`status ${response.status}`);
      return parsed;
    },
  };
  const close = async () => {
    await undiciAgent.close();
    await aiaas.close();
  };
  return { calls, close };
}

export async function runClientOverhead(context: BenchContext): Promise<BenchmarkResult> {
  const started = Date.now();
  const rounds = bySize(context.size, { tiny: 2, full: 7 });
  const durationMs = bySize(context.size, { tiny: 80, full: 500 });
  const concurrencies = [1, 64];
  const server = await CannedServerProcess.start(10);
  const { calls, close } = await makeCalls(server.apiRoot('fixed'));
  const figures: Figure[] = [];
  const ratios: Ratio[] = [];
  try {
    for (const concurrency of concurrencies) {
      context.log(`client-overhead: concurrency ${concurrency}, ${rounds} rounds x ${durationMs} ms`);
      // CPU time per call is kept beside the rate: this process runs only the client, so it is the
      // client's own cost, and it holds steady when other work on the machine slows the clock.
      const cpuPerCall = Object.fromEntries(contenderNames.map((name) => [name, [] as number[]])) as Record<
        ContenderName,
        number[]
      >;
      const contenders = Object.fromEntries(
        contenderNames.map((name) => [
          name,
          async () => {
            const { result, cpuMs } = await timeWork(() =>
              runClosedLoop(calls[name], { concurrency, durationMs }),
            );
            cpuPerCall[name].push((cpuMs * 1000) / result.completed);
            return ratePerSecond(result);
          },
        ]),
      ) as Record<ContenderName, () => Promise<number>>;
      const samples = await runInterleaved(contenders, { rounds, warmupRounds: context.warmupRounds });
      // The warm-up round's CPU figures are dropped, like its rates.
      for (const name of contenderNames) cpuPerCall[name] = cpuPerCall[name].slice(-rounds);
      const id = (name: ContenderName) => `${name}-c${concurrency}`;
      for (const name of contenderNames) {
        figures.push(
          makeFigure(
            { id: id(name), label: `${labels[name]}, concurrency ${concurrency}`, unit: 'req/s' },
            samples[name],
          ),
          makeFigure(
            {
              id: `${id(name)}-cpu`,
              label: `${labels[name]}, concurrency ${concurrency}: client CPU per call`,
              unit: 'CPU µs/call',
            },
            cpuPerCall[name],
          ),
        );
      }
      const atTarget = concurrency === 64;
      const series = (name: ContenderName) => ({ id: id(name), samples: samples[name] });
      ratios.push(
        makeRatio(
          {
            id: `aiaas-vs-undici-c${concurrency}`,
            label: `AiaasClient / raw undici, concurrency ${concurrency}`,
          },
          series('aiaas'),
          series('undici'),
        ),
        makeRatio(
          {
            id: `aiaas-vs-openai-c${concurrency}`,
            label: `AiaasClient / openai v6, concurrency ${concurrency}`,
            ...(atTarget ? { target: { comparison: '>=', value: 1.5 } } : {}),
          },
          series('aiaas'),
          series('openai'),
        ),
        // The overhead target is judged on CPU per call, not on the rate: the rate also moves with
        // whatever else the shared machine runs, the client's own CPU time does not.
        makeRatio(
          {
            id: `aiaas-vs-undici-cpu-c${concurrency}`,
            label: `raw undici / AiaasClient CPU per call, concurrency ${concurrency} (the rate ratio of a CPU-bound client)`,
            target: { comparison: '>=', value: 0.85 },
          },
          { id: `${id('undici')}-cpu`, samples: cpuPerCall.undici },
          { id: `${id('aiaas')}-cpu`, samples: cpuPerCall.aiaas },
        ),
        makeRatio(
          {
            id: `aiaas-vs-fetch-c${concurrency}`,
            label: `AiaasClient / plain fetch, concurrency ${concurrency}`,
          },
          series('aiaas'),
          series('fetch'),
        ),
      );
    }
  } finally {
    await close();
    await server.stop();
  }
  return {
    name: 'client-overhead',
    title: 'Client overhead, non-streaming chat completions (canned server in a child process)',
    notes: [
      'Closed loop: N calls in flight until the round time passes; rounds interleaved, start rotated.',
      'Every client with default options (AiaasClient records each call in its default in-memory ledger).',
      'The canned server runs in a child process so it has its own core (2-core machine).',
    ],
    figures,
    ratios,
    durationMs: Date.now() - started,
  };
}
