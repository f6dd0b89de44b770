import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type BenchContext, bySize } from '../harness/bench-context.js';
import { runInterleaved } from '../harness/interleaved-rounds.js';
import { makeFigure, makeRatio } from '../harness/result-builder.js';
import type { BenchmarkResult } from '../harness/result-types.js';
import { DeploymentChurnProcess, loadParameters } from './deployment-churn.js';
import { ReferenceServerProcess } from './reference-server-process.js';
import { type LoadSample, ServerLoad } from './server-load.js';

const builtIn = 'ref-classify';
const copy = 'classify-copy';
const churned = 'embed-churn';
const concurrency = 8;
const modelFile = (model: string) =>
  fileURLToPath(new URL(`../../models/${model}/1/model.onnx`, import.meta.url));

/** A Triton config that matches ref-classify's graph: FP32 [batch, 100] in, [batch, 1] out. */
const classifyConfig = {
  backend: 'onnxruntime',
  max_batch_size: 32,
  input: [{ name: 'input', data_type: 'TYPE_FP32', dims: [100] }],
  output: [{ name: 'probability', data_type: 'TYPE_FP32', dims: [1] }],
};

/** L2-normalised feature rows like ref-classify's hashed bag of words, varied so no request repeats the last. */
function featureRows(count: number, width: number): number[][] {
  let state = 42;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  return Array.from({ length: count }, () => {
    const row = Array.from({ length: width }, () => (next() < 0.1 ? next() : 0));
    const norm = Math.hypot(...row) || 1;
    return row.map((value) => Math.round((value / norm) * 1e6) / 1e6);
  });
}

/** Each sample's extra parts by figure id; the warm-up round is recorded too, so keep the last rounds. */
function collector() {
  const series = new Map<string, number[]>();
  return {
    push(id: string, value: number) {
      series.set(id, [...(series.get(id) ?? []), value]);
    },
    measured: (id: string, rounds: number) => (series.get(id) ?? []).slice(-rounds),
  };
}

export async function runModelDeployment(context: BenchContext): Promise<BenchmarkResult> {
  const started = Date.now();
  const rounds = bySize(context.size, { tiny: 2, full: 5 });
  const throughputMs = bySize(context.size, { tiny: 40, full: 1_000 });
  const stallMs = bySize(context.size, { tiny: 60, full: 2_000 });
  // Seconds of load first, so the rounds measure the steady state (see server-throughput).
  const settleMs = bySize(context.size, { tiny: 0, full: 3_000 });
  const input = { name: 'input', rows: featureRows(16, 100) };
  const [classifyBytes, embedBytes] = await Promise.all([
    readFile(modelFile(builtIn)),
    readFile(modelFile('ref-embed')),
  ]);
  context.log('model-deployment: starting the reference server');
  const server = await ReferenceServerProcess.start({ seed: 42, apiKeys: ['sk-bench'] });
  const load = new ServerLoad();
  const parts = collector();
  const record = (id: string, sample: LoadSample) => {
    parts.push(`${id}-p99`, sample.p99Ms);
    parts.push(`${id}-rate`, sample.rate);
    parts.push(`${id}-loop-p99`, sample.loopDelay.p99);
  };
  const churn = await DeploymentChurnProcess.start(server.url, churned, modelFile('ref-embed'));
  try {
    await load.post(`${server.url}/v2/repository/models/${copy}/load`, {
      parameters: loadParameters(classifyConfig, 1, classifyBytes.toString('base64')),
    });
    context.log(
      `model-deployment: ${builtIn} vs its deployed copy, OIP infer, concurrency ${concurrency}, ${rounds} rounds x ${throughputMs} ms`,
    );
    if (settleMs > 0) {
      for (const model of [builtIn, copy]) await load.oipInfer(server, model, input, concurrency, settleMs);
    }
    const throughput = await runInterleaved(
      {
        builtIn: async () => {
          const sample = await load.oipInfer(server, builtIn, input, concurrency, throughputMs);
          record('built-in', sample);
          return sample.rate;
        },
        deployed: async () => {
          const sample = await load.oipInfer(server, copy, input, concurrency, throughputMs);
          record('deployed', sample);
          return sample.rate;
        },
      },
      { rounds, warmupRounds: context.warmupRounds },
    );
    context.log(
      `model-deployment: ${builtIn} latency with and without ${churned} loading (${(embedBytes.length / 2 ** 20).toFixed(1)} MiB) and unloading, ${rounds} rounds x ${stallMs} ms`,
    );
    const loadsBefore = () => churn.loadTimesMs.length;
    if (settleMs > 0) {
      await churn.startChurn();
      await load.oipInfer(server, builtIn, input, concurrency, settleMs).finally(() => churn.stopChurn());
    }
    const settledLoads = loadsBefore();
    const stall = await runInterleaved(
      {
        quiet: async () => {
          const sample = await load.oipInfer(server, builtIn, input, concurrency, stallMs);
          record('quiet', sample);
          return sample.p99Ms;
        },
        loading: async () => {
          const before = loadsBefore();
          await churn.startChurn();
          const sample = await load
            .oipInfer(server, builtIn, input, concurrency, stallMs)
            .finally(() => churn.stopChurn());
          record('loading', sample);
          parts.push('loads', loadsBefore() - before);
          return sample.p99Ms;
        },
      },
      { rounds, warmupRounds: context.warmupRounds },
    );
    const label = (what: string) => `${what}, concurrency ${concurrency}`;
    return {
      name: 'model-deployment',
      title: 'Reference server: a deployed model vs a built-in one, and latency while models load',
      notes: [
        'The reference server in its own child process; the load generator (raw undici) shares the 2 cores.',
        `${copy} is a byte-identical copy of ${builtIn}'s ONNX file, deployed through POST /v2/repository/models/${copy}/load with a file override.`,
        `During "loading", a client in a process of its own loads ${churned} (ref-embed's ONNX file, a fresh version each time) and unloads it, over and over.`,
      ],
      figures: [
        makeFigure(
          { id: 'built-in', label: label(`${builtIn} OIP infer`), unit: 'req/s' },
          throughput.builtIn,
        ),
        makeFigure(
          { id: 'deployed', label: label(`${copy} (deployed) OIP infer`), unit: 'req/s' },
          throughput.deployed,
        ),
        makeFigure(
          { id: 'quiet-p99', label: label(`${builtIn} latency p99, no loads running`), unit: 'ms' },
          stall.quiet,
        ),
        makeFigure(
          {
            id: 'loading-p99',
            label: label(`${builtIn} latency p99, while ${churned} loads and unloads`),
            unit: 'ms',
          },
          stall.loading,
        ),
        makeFigure(
          {
            id: 'loading-rate',
            label: label(`${builtIn} req/s while ${churned} loads and unloads`),
            unit: 'req/s',
          },
          parts.measured('loading-rate', rounds),
        ),
        makeFigure(
          { id: 'quiet-rate', label: label(`${builtIn} req/s, no loads running`), unit: 'req/s' },
          parts.measured('quiet-rate', rounds),
        ),
        makeFigure(
          {
            id: 'loads-per-window',
            label: `${churned} loads completed per ${stallMs} ms window`,
            unit: 'loads',
          },
          parts.measured('loads', rounds),
        ),
        makeFigure(
          { id: 'load-time', label: `${churned} load time (upload to READY answer)`, unit: 'ms' },
          churn.loadTimesMs.slice(settledLoads),
        ),
        makeFigure(
          { id: 'loading-loop-p99', label: 'server event-loop delay p99 while loading', unit: 'ms' },
          parts.measured('loading-loop-p99', rounds),
        ),
      ],
      ratios: [
        makeRatio(
          {
            id: 'deployed-vs-built-in',
            label: `OIP infer req/s, deployed copy / built-in ${builtIn}`,
            target: { comparison: '>=', value: 0.9 },
          },
          { id: 'deployed', samples: throughput.deployed },
          { id: 'built-in', samples: throughput.builtIn },
        ),
        makeRatio(
          {
            id: 'p99-loading-vs-quiet',
            label: `${builtIn} latency p99, during loads / without`,
            target: { comparison: '<=', value: 2 },
          },
          { id: 'loading-p99', samples: stall.loading },
          { id: 'quiet-p99', samples: stall.quiet },
        ),
      ],
      durationMs: Date.now() - started,
    };
  } finally {
    await churn.stop();
    await load.close();
    await server.stop();
  }
}
