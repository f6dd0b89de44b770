import type { BatchRecord, InferenceObserver } from '../inference/inference-observer.js';
import { LabelledCounter } from './labelled-counter.js';
import { type MetricFamily, renderPrometheusText } from './prometheus-text.js';

/** How one request ended, for `aiaas_requests_total`. */
export interface RequestOutcomeLabels {
  /** The served model the request named; '' when it named none (or one the server does not serve). */
  model: string;
  /** The HTTP status sent. */
  status: number;
  /** `ok`, or why it failed: the error code (`model_not_found`, `rate_limit_exceeded`…), `client_disconnected`. */
  reason: string;
}

/** The model name of an engine key (`<model>/<version>`). */
function modelOfKey(key: string): string {
  const slash = key.lastIndexOf('/');
  return slash === -1 ? key : key.slice(0, slash);
}

/**
 * The reference server's metrics: requests by model, status and reason; inference requests
 * versus model runs (their ratio is the batching factor); queue and compute time; generated
 * tokens; and the current queue depth. It observes the batching engine directly and is fed
 * by the request interceptor and the chat model; `/metrics` renders it.
 *
 * @example
 * const metrics = new ServerMetrics(() => engine.queuedRequests());
 * metrics.recordGeneratedTokens('ref-chat', 1);
 * metrics.render(); // Prometheus text
 */
export class ServerMetrics implements InferenceObserver {
  readonly #requests = new LabelledCounter(
    'aiaas_requests_total',
    'Requests answered, by model, HTTP status and reason (ok, or the error code).',
    ['model', 'status', 'reason'],
  );
  readonly #inferences = new LabelledCounter(
    'aiaas_inferences_total',
    'Inference requests answered by the models (one per engine run call, however it was batched).',
    ['model'],
  );
  readonly #batches = new LabelledCounter(
    'aiaas_batches_total',
    'Model runs executed; each serves one or more batched inference requests.',
    ['model'],
  );
  readonly #failedBatches = new LabelledCounter(
    'aiaas_failed_batches_total',
    'Model runs that failed (a failed batch is retried request by request).',
    ['model'],
  );
  readonly #queueSeconds = new LabelledCounter(
    'aiaas_queue_seconds_total',
    'Seconds inference requests waited for their batch to start, summed over requests.',
    ['model'],
  );
  readonly #computeSeconds = new LabelledCounter(
    'aiaas_compute_seconds_total',
    'Seconds spent inside onnxruntime, summed over model runs.',
    ['model'],
  );
  readonly #generatedTokens = new LabelledCounter(
    'aiaas_generated_tokens_total',
    'Tokens sampled by generation (every forward pass, the end-of-text token included).',
    ['model'],
  );
  readonly #queueDepth: () => ReadonlyMap<string, number>;
  readonly #bufferedBodyBytes: () => number;

  /**
   * `queueDepth` reads the engine's waiting requests per engine key at each scrape,
   * `bufferedBodyBytes` the bytes of request bodies held for reading right now.
   */
  constructor(
    queueDepth: () => ReadonlyMap<string, number> = () => new Map(),
    bufferedBodyBytes: () => number = () => 0,
  ) {
    this.#queueDepth = queueDepth;
    this.#bufferedBodyBytes = bufferedBodyBytes;
  }

  batchCompleted(record: BatchRecord): void {
    const labels = { model: modelOfKey(record.key) };
    this.#batches.add(labels);
    if (!record.succeeded) this.#failedBatches.add(labels);
    this.#inferences.add(labels, record.requests);
    this.#queueSeconds.add(labels, record.queueSeconds);
    this.#computeSeconds.add(labels, record.computeSeconds);
  }

  recordRequest(outcome: RequestOutcomeLabels): void {
    this.#requests.add({ model: outcome.model, status: String(outcome.status), reason: outcome.reason });
  }

  recordGeneratedTokens(model: string, count: number): void {
    this.#generatedTokens.add({ model }, count);
  }

  families(): MetricFamily[] {
    const depths = new Map<string, number>();
    for (const [key, depth] of this.#queueDepth()) {
      const model = modelOfKey(key);
      depths.set(model, (depths.get(model) ?? 0) + depth);
    }
    const queueDepth: MetricFamily = {
      name: 'aiaas_queue_depth',
      help: 'Inference requests waiting for a batch right now.',
      type: 'gauge',
      samples: [...depths].map(([model, value]) => ({ labels: { model }, value })),
    };
    return [
      this.#requests.family(),
      this.#inferences.family(),
      this.#batches.family(),
      this.#failedBatches.family(),
      this.#queueSeconds.family(),
      this.#computeSeconds.family(),
      this.#generatedTokens.family(),
      queueDepth,
      {
        name: 'aiaas_request_body_buffered_bytes',
        help: 'Bytes of request bodies reserved for buffering right now (declared lengths included), bounded by the server options.',
        type: 'gauge',
        samples: [{ labels: {}, value: this.#bufferedBodyBytes() }],
      },
    ];
  }

  /** The exposition text `/metrics` serves. */
  render(): string {
    return renderPrometheusText(this.families());
  }
}
