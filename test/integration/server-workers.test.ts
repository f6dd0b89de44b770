import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReferenceServer, silentServerLogger, startReferenceServer } from '../../src/server/index.js';
import { requestJson } from './server-test-client.js';
import { writeRepositoryModel } from './server-test-models.js';

const { onnx } = onnxProto;
const width = 512;

/**
 * A model slow enough to watch (about half a second on one core): the input row is tiled to
 * 8192 rows, then pushed through 16 dense tanh layers of width 512, and averaged back to one row.
 */
function slowModel(rows = 8192, layers = 16): Uint8Array {
  const weights = Float32Array.from(
    { length: width * width },
    (_, index) => Math.sin(index) / Math.sqrt(width),
  );
  const node: onnxProto.onnx.INodeProto[] = [{ opType: 'Tile', input: ['x', 'repeats'], output: ['h0'] }];
  for (let layer = 0; layer < layers; layer++) {
    node.push({ opType: 'MatMul', input: [`h${layer}`, 'w'], output: [`m${layer}`] });
    node.push({ opType: 'Tanh', input: [`m${layer}`], output: [`h${layer + 1}`] });
  }
  const axes = { name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [0] };
  node.push({ opType: 'ReduceMean', input: [`h${layers}`], output: ['y'], attribute: [axes] });
  const row = (name: string) => ({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: [{ dimValue: 1 }, { dimValue: width }] },
      },
    },
  });
  const graph: onnxProto.onnx.IGraphProto = {
    name: 'slow',
    input: [row('x')],
    output: [row('y')],
    initializer: [
      {
        name: 'w',
        dims: [width, width],
        dataType: onnx.TensorProto.DataType.FLOAT,
        rawData: new Uint8Array(weights.buffer),
      },
      { name: 'repeats', dims: [2], dataType: onnx.TensorProto.DataType.INT64, int64Data: [rows, 1] },
    ],
    node,
  };
  return onnx.ModelProto.encode(
    onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], graph }),
  ).finish();
}

const handleTypes = () =>
  process
    .getActiveResourcesInfo()
    .filter((type) => type !== 'Timeout' && type !== 'TTYWrap')
    .sort();

/**
 * The active handles once they hold still: a worker thread's port closes an event-loop turn or
 * two after the `close()` that terminated it, so a server closed just before can leave one behind.
 */
async function settledHandleTypes(): Promise<string[]> {
  let previous: string[] | undefined;
  await expect
    .poll(
      () => {
        const current = handleTypes();
        const settled = previous !== undefined && current.join() === previous.join();
        previous = current;
        return settled;
      },
      { interval: 20, timeout: 5_000 },
    )
    .toBe(true);
  return previous!;
}

/** How many of each kind of handle exist that did not in `before`. */
function newHandles(before: readonly string[]): string[] {
  const remaining = [...before];
  return handleTypes().filter((type) => {
    const index = remaining.indexOf(type);
    if (index === -1) return true;
    remaining.splice(index, 1);
    return false;
  });
}

async function slowInference(server: ReferenceServer) {
  const answer = await requestJson(`${server.url}/v2/models/slow/infer`, {
    body: { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, width], data: new Array(width).fill(0.5) }] },
  });
  expect(answer.status).toBe(200);
  return answer;
}

/** Seconds the slow model has computed on this server, from `/metrics`. */
async function computeSeconds(server: ReferenceServer): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith('aiaas_compute_seconds_total{model="slow"}'));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

/** When a 5 ms interval ticked while `work` ran, and when `work` ended. */
async function ticksDuring(work: () => Promise<unknown>): Promise<{ ticks: number[]; endedAt: number }> {
  const ticks: number[] = [];
  const ticker = setInterval(() => ticks.push(performance.now()), 5);
  try {
    await work();
  } finally {
    clearInterval(ticker);
  }
  return { ticks, endedAt: performance.now() };
}

/** The longest gap between ticks of a 5 ms interval while `work` ran: how long the event loop was held. */
async function longestEventLoopGap(work: () => Promise<unknown>): Promise<number> {
  const startedAt = performance.now();
  const { ticks, endedAt } = await ticksDuring(work);
  const times = [startedAt, ...ticks, endedAt];
  return Math.max(...times.slice(1).map((time, index) => time - times[index]!));
}

describe('inference off the event loop', () => {
  let repository: string;
  beforeAll(() => {
    repository = mkdtempSync(join(tmpdir(), 'aiaas-workers-'));
    writeRepositoryModel(repository, 'slow', '1', slowModel());
  });
  afterAll(() => rmSync(repository, { recursive: true, force: true }));

  it('answers /health while a long model run is in progress', async () => {
    const server = await startReferenceServer({
      port: 0,
      modelsDir: repository,
      workers: 1,
      logger: silentServerLogger,
    });
    try {
      let answeredAt: number | undefined;
      let done = false;
      const slow = slowInference(server)
        .then(() => {
          answeredAt = performance.now();
        })
        .finally(() => {
          done = true;
        });
      const checks: { sentAt: number; answeredAt: number }[] = [];
      while (!done && checks.length < 100) {
        const sentAt = performance.now();
        expect((await requestJson(`${server.url}/health`)).status).toBe(200);
        checks.push({ sentAt, answeredAt: performance.now() });
      }
      await slow;
      // The run lasted its compute time (the server's own measure) and ended before its answer
      // arrived: a check sent after `runFrom` and answered before the run's answer overlapped it.
      const runFrom = answeredAt! - 1000 * (await computeSeconds(server));
      const during = checks.filter((check) => check.sentAt >= runFrom && check.answeredAt <= answeredAt!);
      // A held event loop answers nothing while the model runs: at most the one check it held.
      expect(during.length).toBeGreaterThanOrEqual(3);
    } finally {
      await server.close();
    }
  });

  it('keeps the event loop free during a model run, which models on the main thread (workers: 0) do not', async () => {
    const pooled = await startReferenceServer({
      port: 0,
      modelsDir: repository,
      workers: 1,
      logger: silentServerLogger,
    });
    const inline = await startReferenceServer({
      port: 0,
      modelsDir: repository,
      workers: 0,
      logger: silentServerLogger,
    });
    try {
      const { ticks, endedAt } = await ticksDuring(() => slowInference(pooled));
      const pooledCompute = 1000 * (await computeSeconds(pooled));
      expect(pooledCompute).toBeGreaterThan(200);
      // Free: the loop ticked in each third of the run (the run ended before its answer arrived).
      const runFrom = endedAt - pooledCompute;
      for (const third of [0, 1, 2]) {
        const from = runFrom + (third * pooledCompute) / 3;
        const to = from + pooledCompute / 3;
        expect(ticks.some((tick) => tick >= from && tick < to)).toBe(true);
      }
      // The same run on the main thread holds the loop for all of it.
      const inlineGap = await longestEventLoopGap(() => slowInference(inline));
      expect(inlineGap).toBeGreaterThan(0.9 * 1000 * (await computeSeconds(inline)));
    } finally {
      await Promise.all([pooled.close(), inline.close()]);
    }
  });

  it('starts the configured worker threads and terminates them on close, leaving no handle', async () => {
    const before = await settledHandleTypes();
    const server = await startReferenceServer({ port: 0, workers: 2, logger: silentServerLogger });
    expect(handleTypes().filter((type) => type === 'MessagePort').length).toBe(
      before.filter((type) => type === 'MessagePort').length + 2,
    );
    const answer = await requestJson(`${server.url}/v1/embeddings`, {
      body: { model: 'ref-embed', input: 'schools' },
    });
    expect(answer.status).toBe(200);
    await server.close();
    await expect.poll(() => newHandles(before), { timeout: 5_000 }).toEqual([]);
  });
});
