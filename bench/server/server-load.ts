import { Pool } from 'undici';
import { runClosedLoop } from '../harness/closed-loop.js';
import { quantile } from '../harness/statistics.js';
import type { LoopDelay, ReferenceServerProcess } from './reference-server-process.js';

const apiKey = 'sk-bench';
const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };

// Varied inputs, so no request is a repeat of the one before it.
const sentences = [
  'The invoice was paid two days after the shipment arrived.',
  'A small model answers quickly when many requests share one batch.',
  'Please summarise the meeting notes in three short points.',
  'Latency at the tail matters more to users than the average does.',
  'The warehouse in Lyon restocked the blue umbrellas on Tuesday.',
  'Measure twice, cut once, and keep the baseline in the same run.',
  'Streaming responses let a reader start before the writer is done.',
  'Every retry of a paid call carries the same idempotency key.',
];

/** One measured load window: the rate, the latencies, and the server's event-loop delay meanwhile. */
export interface LoadSample {
  /** Requests per second, or tokens per second for chat. */
  rate: number;
  p50Ms: number;
  p99Ms: number;
  loopDelay: LoopDelay;
}

/** Where a call goes: the server's connection pool and the request path. */
interface Target {
  pool: Pool;
  path: string;
}

/**
 * A load generator as light as it can be, since it shares the machine's 2 cores: raw undici,
 * one connection pool per server and the path resolved once per load window. Through an undici
 * `Agent` with a URL per request, ref-embed with batching at concurrency 32 answered 27% fewer
 * requests per second in paired rounds on the same server: the generator is a stage of the
 * closed loop, turning a batch's answers into new requests one by one.
 */
export class ServerLoad {
  readonly #pools = new Map<string, Pool>();
  #sequence = 0;

  #target(url: string): Target {
    const { origin, pathname, search } = new URL(url);
    let pool = this.#pools.get(origin);
    if (pool === undefined) {
      pool = new Pool(origin, { keepAliveTimeout: 30_000 });
      this.#pools.set(origin, pool);
    }
    return { pool, path: `${pathname}${search}` };
  }

  async #post({ pool, path }: Target, body: unknown): Promise<Record<string, unknown>> {
    const response = await pool.request({
      path,
      method: 'POST',
      headers,
      body: body instanceof Uint8Array ? body : JSON.stringify(body),
    });
    const text = await response.body.text();
    if (response.statusCode !== 200)
      throw new Error(`${path} answered ${response.statusCode}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as Record<string, unknown>;
  }

  async #measure(
    server: ReferenceServerProcess,
    call: () => Promise<number>,
    concurrency: number,
    durationMs: number,
  ): Promise<LoadSample> {
    let units = 0;
    await server.resetLoopDelay();
    const result = await runClosedLoop(
      async () => {
        // Awaited first: `units += await call()` would read `units` before the wait and lose
        // the other workers' increments.
        const done = await call();
        units += done;
      },
      { concurrency, durationMs, recordLatency: true },
    );
    const loopDelay = await server.loopDelay();
    return {
      rate: (units / result.elapsedMs) * 1000,
      p50Ms: quantile(result.latenciesMs, 0.5),
      p99Ms: quantile(result.latenciesMs, 0.99),
      loopDelay,
    };
  }

  /** `ref-embed` embeddings of one sentence per request; the rate is requests/s. */
  embeddings(server: ReferenceServerProcess, concurrency: number, durationMs: number): Promise<LoadSample> {
    const target = this.#target(`${server.url}/v1/embeddings`);
    const call = async () => {
      const input = sentences[this.#sequence++ % sentences.length]!;
      await this.#post(target, { model: 'ref-embed', input });
      return 1;
    };
    return this.#measure(server, call, concurrency, durationMs);
  }

  /**
   * `ref-chat` completions of up to `maxTokens` (with `extra` request fields, e.g. a
   * `response_format`); the rate is generated tokens/s, as the server reports them.
   */
  chat(
    server: ReferenceServerProcess,
    concurrency: number,
    durationMs: number,
    maxTokens: number,
    extra: Record<string, unknown> = {},
  ): Promise<LoadSample> {
    const target = this.#target(`${server.url}/v1/chat/completions`);
    const call = async () => {
      const sequence = this.#sequence++;
      const completion = await this.#post(target, {
        model: 'ref-chat',
        messages: [{ role: 'user', content: sentences[sequence % sentences.length] }],
        max_tokens: maxTokens,
        seed: sequence,
        ...extra,
      });
      return (completion.usage as { completion_tokens: number }).completion_tokens;
    };
    return this.#measure(server, call, concurrency, durationMs);
  }

  /**
   * OIP v2 infers of `model`, one row of `rows` (FP32 `[1, n]` into `input.name`) per
   * request; the rate is requests/s.
   */
  oipInfer(
    server: ReferenceServerProcess,
    model: string,
    input: { name: string; rows: readonly number[][] },
    concurrency: number,
    durationMs: number,
  ): Promise<LoadSample> {
    const target = this.#target(`${server.url}/v2/models/${model}/infer`);
    const call = async () => {
      const data = input.rows[this.#sequence++ % input.rows.length]!;
      await this.#post(target, {
        inputs: [{ name: input.name, datatype: 'FP32', shape: [1, data.length], data }],
      });
      return 1;
    };
    return this.#measure(server, call, concurrency, durationMs);
  }

  /**
   * A POST on the same connections (e.g. a repository load) of `body` as JSON, or as it is when
   * it is bytes (JSON already); throws unless it answers 200.
   */
  post(url: string, body: unknown): Promise<Record<string, unknown>> {
    return this.#post(this.#target(url), body);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
    this.#pools.clear();
  }
}
