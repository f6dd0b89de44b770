import { concatenateFeeds, splitOutputs } from './batch-assembly.js';
import type { InferenceEngine } from './inference-engine.js';
import type { BatchRecord, InferenceObserver } from './inference-observer.js';
import type { QueuedRun } from './model-run-queues.js';

type RunRecord = Omit<BatchRecord, 'key' | 'computeSeconds'> & { computeMilliseconds?: number };

function record(observer: InferenceObserver | undefined, key: string, run: RunRecord): void {
  const { computeMilliseconds, ...counts } = run;
  observer?.batchCompleted({ key, ...counts, computeSeconds: (computeMilliseconds ?? 0) / 1000 });
}

async function runAlone(
  runner: InferenceEngine,
  run: QueuedRun,
  queueSeconds: number,
  observer: InferenceObserver | undefined,
): Promise<void> {
  const rows = run.rows ?? 1;
  try {
    const result = await runner.run(run.key, run.feeds, run.outputNames);
    const { computeMilliseconds } = result;
    record(observer, run.key, { requests: 1, rows, queueSeconds, computeMilliseconds, succeeded: true });
    run.resolve(result);
  } catch (error) {
    record(observer, run.key, { requests: 1, rows, queueSeconds, succeeded: false });
    run.reject(error);
  }
}

/**
 * Runs one batch taken from a model's queue and answers each of its requests: a request
 * alone runs as it is; several are concatenated along the batch axis, run once, and the
 * outputs cut back into each request's rows, with each metered for its share of the compute
 * time. A batch that fails (or whose outputs do not split by rows) is retried request by
 * request, so only a request at fault fails. Every model run is reported to `observer`.
 *
 * @example
 * await executeBatch(workerPool, queues.takeBatch(queue, true), performance.now(), metrics);
 */
export async function executeBatch(
  runner: InferenceEngine,
  batch: readonly QueuedRun[],
  startedAt: number,
  observer: InferenceObserver | undefined,
): Promise<void> {
  const queueSeconds = batch.reduce((sum, run) => sum + (startedAt - run.enqueuedAt), 0) / 1000;
  const head = batch[0]!;
  if (batch.length === 1) return runAlone(runner, head, queueSeconds, observer);
  const rowsPerRun = batch.map((run) => run.rows!);
  const totalRows = rowsPerRun.reduce((sum, rows) => sum + rows, 0);
  const feeds = concatenateFeeds(
    batch.map((run, index) => ({ feeds: run.feeds, rows: rowsPerRun[index]! })),
    head.padding,
  );
  const result = await runner.run(head.key, feeds, head.outputNames).catch(() => undefined);
  const outputs = result === undefined ? undefined : splitOutputs(result.outputs, rowsPerRun);
  if (result === undefined || outputs === undefined) {
    record(observer, head.key, { requests: 0, rows: totalRows, queueSeconds: 0, succeeded: false });
    // The queue time is counted once, with the first retry.
    for (const [index, run] of batch.entries()) {
      await runAlone(runner, run, index === 0 ? queueSeconds : 0, observer);
    }
    return;
  }
  const { computeMilliseconds } = result;
  record(observer, head.key, {
    requests: batch.length,
    rows: totalRows,
    queueSeconds,
    computeMilliseconds,
    succeeded: true,
  });
  batch.forEach((run, index) => {
    // Per-request compute then adds up to the run's, which billing by compute-second relies on.
    const share = (computeMilliseconds * rowsPerRun[index]!) / totalRows;
    run.resolve({ outputs: outputs[index]!, computeMilliseconds: share });
  });
}
