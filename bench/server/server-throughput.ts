import { type BenchContext, bySize } from '../harness/bench-context.js';
import { runInterleaved } from '../harness/interleaved-rounds.js';
import { makeFigure, makeRatio } from '../harness/result-builder.js';
import type { BenchmarkResult, Figure, Ratio } from '../harness/result-types.js';
import { ReferenceServerProcess } from './reference-server-process.js';
import { type LoadSample, ServerLoad } from './server-load.js';

const serverOptions = { seed: 42, apiKeys: ['sk-bench'] };
const loopDelayTarget = { comparison: '<', value: 20 } as const;

/** Records each sample's parts into per-figure series, returning the rate for the interleaver. */
function collector() {
  const series = new Map<string, number[]>();
  const push = (id: string, value: number) => {
    const values = series.get(id) ?? [];
    values.push(value);
    series.set(id, values);
  };
  return {
    series,
    record(id: string, sample: LoadSample): number {
      push(`${id}-p50`, sample.p50Ms);
      push(`${id}-p99`, sample.p99Ms);
      push(`${id}-loop-p99`, sample.loopDelay.p99);
      return sample.rate;
    },
    /** The warm-up round is recorded too; keep only the measured rounds. */
    measured(id: string, rounds: number): number[] {
      return (series.get(id) ?? []).slice(-rounds);
    },
  };
}

export async function runServerThroughput(context: BenchContext): Promise<BenchmarkResult> {
  const started = Date.now();
  const rounds = bySize(context.size, { tiny: 2, full: 5 });
  const durationMs = bySize(context.size, { tiny: 100, full: 1_000 });
  const chatDurationMs = bySize(context.size, { tiny: 150, full: 1_500 });
  const maxTokens = bySize(context.size, { tiny: 8, full: 32 });
  // A server's JIT and onnxruntime's buffers settle over seconds of load (ref-chat's tokens/s at
  // 32 kept rising for about 6 s from a cold start), longer than one warm-up round.
  const settleMs = bySize(context.size, { tiny: 0, full: 4_000 });
  context.log('server-throughput: starting two reference servers (batching on and off)');
  const [batched, unbatched] = await Promise.all([
    ReferenceServerProcess.start(serverOptions),
    ReferenceServerProcess.start({ ...serverOptions, batching: false }),
  ]);
  const load = new ServerLoad();
  const parts = collector();
  const figures: Figure[] = [];
  const ratios: Ratio[] = [];
  try {
    const embedRates = new Map<number, Record<'on' | 'off', number[]>>();
    if (settleMs > 0) {
      context.log(`server-throughput: ${settleMs} ms of ref-embed load on each server before measuring`);
      for (const server of [batched, unbatched]) await load.embeddings(server, 32, settleMs);
    }
    for (const concurrency of [1, 32]) {
      context.log(
        `server-throughput: ref-embed, concurrency ${concurrency}, ${rounds} rounds x ${durationMs} ms`,
      );
      const samples = await runInterleaved(
        {
          on: async () =>
            parts.record(`embed-on-c${concurrency}`, await load.embeddings(batched, concurrency, durationMs)),
          off: async () =>
            parts.record(
              `embed-off-c${concurrency}`,
              await load.embeddings(unbatched, concurrency, durationMs),
            ),
        },
        { rounds, warmupRounds: context.warmupRounds },
      );
      embedRates.set(concurrency, samples);
      for (const mode of ['on', 'off'] as const) {
        const id = `embed-${mode}-c${concurrency}`;
        const label = `ref-embed, batching ${mode}, concurrency ${concurrency}`;
        figures.push(
          makeFigure({ id, label, unit: 'req/s' }, samples[mode]),
          makeFigure(
            { id: `${id}-p50`, label: `${label}: latency p50`, unit: 'ms' },
            parts.measured(`${id}-p50`, rounds),
          ),
          makeFigure(
            { id: `${id}-p99`, label: `${label}: latency p99`, unit: 'ms' },
            parts.measured(`${id}-p99`, rounds),
          ),
        );
      }
    }
    figures.push(
      makeFigure(
        {
          id: 'embed-loop-p99',
          label: 'server event-loop delay p99, ref-embed c32 batching on',
          unit: 'ms',
          target: loopDelayTarget,
        },
        parts.measured('embed-on-c32-loop-p99', rounds),
      ),
    );
    const embed32 = embedRates.get(32)!;
    ratios.push(
      makeRatio(
        {
          id: 'embed-batching-c32',
          label: 'ref-embed batching on / off, concurrency 32',
          target: { comparison: '>=', value: 3 },
        },
        { id: 'embed-on-c32', samples: embed32.on },
        { id: 'embed-off-c32', samples: embed32.off },
      ),
      makeRatio(
        {
          id: 'embed-batching-c1',
          label: 'ref-embed batching on / off, concurrency 1 (the queue delay cost)',
        },
        { id: 'embed-on-c1', samples: embedRates.get(1)!.on },
        { id: 'embed-off-c1', samples: embedRates.get(1)!.off },
      ),
    );

    context.log(
      `server-throughput: ref-chat up to ${maxTokens} tokens, concurrency 1, 8, 32, ${rounds} rounds x ${chatDurationMs} ms`,
    );
    if (settleMs > 0) await load.chat(batched, 32, settleMs, maxTokens);
    const chat = await runInterleaved(
      {
        c1: async () => parts.record('chat-c1', await load.chat(batched, 1, chatDurationMs, maxTokens)),
        c8: async () => parts.record('chat-c8', await load.chat(batched, 8, chatDurationMs, maxTokens)),
        c32: async () => parts.record('chat-c32', await load.chat(batched, 32, chatDurationMs, maxTokens)),
      },
      { rounds, warmupRounds: context.warmupRounds },
    );
    for (const concurrency of [1, 8, 32] as const) {
      const id = `chat-c${concurrency}`;
      figures.push(
        makeFigure(
          { id, label: `ref-chat aggregate, concurrency ${concurrency}`, unit: 'tokens/s' },
          chat[`c${concurrency}`],
        ),
        makeFigure(
          { id: `${id}-p50`, label: `ref-chat, concurrency ${concurrency}: request latency p50`, unit: 'ms' },
          parts.measured(`${id}-p50`, rounds),
        ),
      );
    }
    figures.push(
      makeFigure(
        {
          id: 'chat-loop-p99',
          label: 'server event-loop delay p99, ref-chat c32',
          unit: 'ms',
          target: loopDelayTarget,
        },
        parts.measured('chat-c32-loop-p99', rounds),
      ),
    );
    ratios.push(
      makeRatio(
        {
          id: 'chat-c32-vs-c1',
          label: 'ref-chat tokens/s, concurrency 32 / 1',
          target: { comparison: '>=', value: 4 },
        },
        { id: 'chat-c32', samples: chat.c32 },
        { id: 'chat-c1', samples: chat.c1 },
      ),
      makeRatio(
        { id: 'chat-c8-vs-c1', label: 'ref-chat tokens/s, concurrency 8 / 1' },
        { id: 'chat-c8', samples: chat.c8 },
        { id: 'chat-c1', samples: chat.c1 },
      ),
    );
  } finally {
    await load.close();
    await Promise.all([batched.stop(), unbatched.stop()]);
  }
  return {
    name: 'server-throughput',
    title: 'Reference server: ref-embed batching on/off, ref-chat continuous batching, event-loop delay',
    notes: [
      'Each server in its own child process with default workers; the load generator (raw undici) shares the 2 cores.',
      'Event-loop delay is measured inside the server process (monitorEventLoopDelay, 1 ms resolution) per load window.',
      `ref-chat requests ask for up to ${maxTokens} tokens with a different seed each; tokens are the server's completion_tokens.`,
    ],
    figures,
    ratios,
    durationMs: Date.now() - started,
  };
}
