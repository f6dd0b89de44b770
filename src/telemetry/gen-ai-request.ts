import type { TransportRequest } from '../transport/transport-types.js';

/** Values of `gen_ai.operation.name` (OpenTelemetry GenAI semantic conventions; `infer` is ours, for OIP v2). */
export type GenAiOperation = 'chat' | 'text_completion' | 'embeddings' | 'infer';

/** What an HTTP attempt is, in GenAI terms; undefined for requests that run no model (lists, metadata). */
export interface GenAiRequest {
  readonly operation: GenAiOperation;
  /** `gen_ai.system`: `openai` (any OpenAI-compatible server), `ollama` or `oip`. */
  readonly system: 'openai' | 'ollama' | 'oip';
  readonly model: string | undefined;
  /** How the response body is framed, so usage can be read from it as it passes. */
  readonly format: 'json' | 'sse' | 'ndjson';
  /** The `gen_ai.request.*` attributes the body carries. */
  readonly attributes: Readonly<Record<string, string | number>>;
}

interface Route {
  pattern: RegExp;
  operation: GenAiOperation;
  system: GenAiRequest['system'];
}

// Matched against the end of the path, so a gateway prefix (`/openai/v1/...`) still matches.
const routes: readonly Route[] = [
  { pattern: /\/chat\/completions$/, operation: 'chat', system: 'openai' },
  { pattern: /\/completions$/, operation: 'text_completion', system: 'openai' },
  { pattern: /\/embeddings$/, operation: 'embeddings', system: 'openai' },
  { pattern: /\/api\/chat$/, operation: 'chat', system: 'ollama' },
  { pattern: /\/api\/generate$/, operation: 'text_completion', system: 'ollama' },
  { pattern: /\/api\/embed$/, operation: 'embeddings', system: 'ollama' },
  { pattern: /\/v2\/models\/(.+?)(?:\/versions\/[^/]+)?\/infer$/, operation: 'infer', system: 'oip' },
];

// Request fields that map to `gen_ai.request.*` attributes (OpenAI names; Ollama's live in `options`).
const requestFields: Readonly<Record<string, string>> = {
  max_tokens: 'gen_ai.request.max_tokens',
  max_completion_tokens: 'gen_ai.request.max_tokens',
  num_predict: 'gen_ai.request.max_tokens',
  temperature: 'gen_ai.request.temperature',
  top_p: 'gen_ai.request.top_p',
  top_k: 'gen_ai.request.top_k',
  seed: 'gen_ai.request.seed',
  n: 'gen_ai.request.choice.count',
  presence_penalty: 'gen_ai.request.presence_penalty',
  frequency_penalty: 'gen_ai.request.frequency_penalty',
};

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function requestAttributes(body: Record<string, unknown>): Record<string, string | number> {
  const attributes: Record<string, string | number> = {};
  for (const source of [body, asRecord(body.options)]) {
    for (const [field, attribute] of Object.entries(requestFields)) {
      const value = source[field];
      if (typeof value === 'number') attributes[attribute] = value;
    }
  }
  return attributes;
}

/**
 * Reads an attempt's method, path and JSON body as a GenAI operation. Only model runs are
 * traced: listing models or reading metadata would bury the calls that cost money.
 *
 * @example
 * describeGenAiRequest(request); // { operation: 'chat', system: 'openai', model: 'ref-chat', format: 'sse', ... }
 */
export function describeGenAiRequest(request: TransportRequest): GenAiRequest | undefined {
  if (request.method !== 'POST') return undefined;
  const path = new URL(request.url).pathname.replace(/\/+$/, '');
  const route = routes.find((candidate) => candidate.pattern.test(path));
  if (route === undefined) return undefined;
  const body = asRecord(request.body);
  const model =
    route.system === 'oip'
      ? decodeURIComponent(route.pattern.exec(path)?.[1] ?? '')
      : typeof body.model === 'string'
        ? body.model
        : undefined;
  // Ollama streams unless told not to; OpenAI-compatible servers only when asked.
  const streams = route.system === 'ollama' ? body.stream !== false : body.stream === true;
  return {
    operation: route.operation,
    system: route.system,
    model,
    format: streams ? (route.system === 'ollama' ? 'ndjson' : 'sse') : 'json',
    attributes: requestAttributes(body),
  };
}
