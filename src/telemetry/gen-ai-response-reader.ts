import { NdjsonDecoder } from '../streaming/ndjson-decoder.js';
import { SseDecoder } from '../streaming/sse-decoder.js';
import type { GenAiRequest } from './gen-ai-request.js';

/** What a response said about the model run, for the `gen_ai.response.*` and `gen_ai.usage.*` attributes. */
export interface GenAiResponseSummary {
  inputTokens?: number;
  outputTokens?: number;
  /** One per choice, in choice order. */
  finishReasons: string[];
  responseModel?: string;
  responseId?: string;
}

// A JSON body is parsed only once whole; past this size telemetry gives up on it rather than hold it.
const maxJsonBytes = 8 * 1024 * 1024;

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

/**
 * Reads usage, finish reasons and the answering model from a response body as the caller
 * consumes it: whole JSON (OpenAI, Ollama, OIP), OpenAI-style SSE chunks or Ollama NDJSON
 * lines. It never throws: a body it cannot read leaves the summary incomplete, because
 * telemetry must not fail a call the SDK itself can handle.
 *
 * @example
 * const reader = new GenAiResponseReader('sse');
 * for await (const chunk of body) reader.push(chunk);
 * reader.summary(); // { inputTokens: 12, outputTokens: 30, finishReasons: ['stop'], responseModel: 'ref-chat' }
 */
export class GenAiResponseReader {
  readonly #format: GenAiRequest['format'];
  readonly #sse = new SseDecoder();
  readonly #ndjson = new NdjsonDecoder();
  readonly #jsonChunks: Uint8Array[] = [];
  #jsonBytes = 0;
  #broken = false;
  #terminal = false;
  #summary: GenAiResponseSummary = { finishReasons: [] };
  readonly #finishReasons = new Map<number, string>();

  constructor(format: GenAiRequest['format']) {
    this.#format = format;
  }

  push(chunk: Uint8Array): void {
    if (this.#broken) return;
    try {
      if (this.#format === 'sse') {
        for (const item of this.#sse.push(chunk)) if (item.kind === 'message') this.#readText(item.data);
      } else if (this.#format === 'ndjson') {
        for (const line of this.#ndjson.push(chunk)) this.#read(line.value);
      } else {
        this.#jsonBytes += chunk.byteLength;
        if (this.#jsonBytes > maxJsonBytes) this.#broken = true;
        else this.#jsonChunks.push(chunk);
      }
    } catch {
      this.#broken = true;
    }
  }

  /**
   * True once the dialect's end marker went by (`[DONE]`, Ollama's `done: true`, a whole JSON
   * body): a reader that stops there has read the whole answer, even if it never saw the socket close.
   */
  get terminal(): boolean {
    return this.#terminal;
  }

  /** Everything read so far (after the body ended: everything). */
  summary(): GenAiResponseSummary {
    if (!this.#broken) {
      try {
        if (this.#format === 'sse') {
          for (const item of this.#sse.end()) if (item.kind === 'message') this.#readText(item.data);
        } else if (this.#format === 'ndjson') {
          for (const line of this.#ndjson.end()) this.#read(line.value);
        } else if (this.#jsonChunks.length > 0) {
          this.#readText(Buffer.concat(this.#jsonChunks).toString('utf8'));
          this.#jsonChunks.length = 0;
          this.#terminal = true;
        }
      } catch {
        this.#broken = true;
      }
    }
    const finishReasons = [...this.#finishReasons.entries()]
      .sort(([left], [right]) => left - right)
      .map(([, reason]) => reason);
    return { ...this.#summary, finishReasons };
  }

  #readText(text: string): void {
    if (text === '[DONE]') {
      this.#terminal = true;
      return;
    }
    this.#read(JSON.parse(text));
  }

  #read(payload: unknown): void {
    const body = asRecord(payload);
    if (body === undefined) return;
    const summary = this.#summary;
    const model = body.model ?? body.model_name;
    if (typeof model === 'string' && model !== '') summary.responseModel = model;
    if (typeof body.id === 'string' && body.id !== '') summary.responseId = body.id;
    const usage = asRecord(body.usage);
    // OpenAI-compatible usage; embeddings report prompt tokens only.
    const input = count(usage?.prompt_tokens) ?? count(body.prompt_eval_count);
    const output = count(usage?.completion_tokens) ?? count(body.eval_count);
    if (input !== undefined) summary.inputTokens = input;
    if (output !== undefined) summary.outputTokens = output;
    if (Array.isArray(body.choices)) {
      for (const [position, choice] of body.choices.entries()) {
        const record = asRecord(choice);
        const reason = record?.finish_reason;
        if (typeof reason === 'string') this.#finishReasons.set(count(record?.index) ?? position, reason);
      }
    }
    if (body.done === true) {
      this.#terminal = true;
      // Ollama says why it stopped only on its last line.
      this.#finishReasons.set(0, typeof body.done_reason === 'string' ? body.done_reason : 'stop');
    }
  }
}
