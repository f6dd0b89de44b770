import { randomUUID } from 'node:crypto';
import type { OllamaChatResponse, OllamaToolCall } from '../../wire/ollama/ollama-chat-schemas.js';
import type { OllamaEmbedResponse } from '../../wire/ollama/ollama-embed-schemas.js';
import type { OllamaGenerateResponse } from '../../wire/ollama/ollama-generate-schemas.js';
import type { OllamaTagsResponse } from '../../wire/ollama/ollama-model-schemas.js';
import type { ChatCompletion, ToolCall } from '../../wire/openai/chat-schemas.js';
import type { Completion } from '../../wire/openai/completion-schemas.js';
import type { Model, ModelList } from '../../wire/openai/model-schemas.js';
import type { OpenAIUsage } from '../../wire/openai/openai-common.js';
import type { EmbeddingResult } from '../embedding-result.js';

/** Unix seconds of an Ollama timestamp (RFC 3339 with nanoseconds); now if it cannot be read. */
export function unixSeconds(timestamp: string | undefined): number {
  const milliseconds = timestamp === undefined ? Number.NaN : Date.parse(timestamp);
  return Math.floor((Number.isNaN(milliseconds) ? Date.now() : milliseconds) / 1000);
}

/**
 * Ollama's counters as OpenAI usage: `prompt_eval_count` in, `eval_count` out, and the
 * `compute_ms` aiaas/server reports (what it bills for compute), kept so the ledger holds it.
 */
export function ollamaUsage(response: {
  prompt_eval_count?: number | undefined;
  eval_count?: number | undefined;
  compute_ms?: number | undefined;
}): OpenAIUsage {
  const prompt = response.prompt_eval_count ?? 0;
  const completion = response.eval_count ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...(response.compute_ms === undefined ? {} : { compute_ms: response.compute_ms }),
  };
}

function finishReason(done: boolean, doneReason: string | undefined, hasToolCalls: boolean): string | null {
  if (hasToolCalls) return 'tool_calls';
  if (!done) return null;
  return doneReason === 'length' ? 'length' : 'stop';
}

function toToolCalls(calls: readonly OllamaToolCall[] | undefined): ToolCall[] | undefined {
  if (!calls?.length) return undefined;
  return calls.map((call, index) => ({
    id: `call_${index}`,
    type: 'function',
    function: { name: call.function.name, arguments: JSON.stringify(call.function.arguments) },
  }));
}

/** An Ollama `/api/chat` reply as an OpenAI chat completion. */
export function fromOllamaChatResponse(
  response: OllamaChatResponse,
  requestId: string | undefined,
): ChatCompletion {
  const toolCalls = toToolCalls(response.message.tool_calls);
  return {
    id: `chatcmpl-${requestId ?? randomUUID()}`,
    object: 'chat.completion',
    created: unixSeconds(response.created_at),
    model: response.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: response.message.content,
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishReason(response.done, response.done_reason, toolCalls !== undefined),
      },
    ],
    usage: ollamaUsage(response),
  };
}

/** An Ollama `/api/generate` reply as an OpenAI text completion. */
export function fromOllamaGenerateResponse(
  response: OllamaGenerateResponse,
  requestId: string | undefined,
): Completion {
  return {
    id: `cmpl-${requestId ?? randomUUID()}`,
    object: 'text_completion',
    created: unixSeconds(response.created_at),
    model: response.model,
    choices: [
      {
        index: 0,
        text: response.response,
        finish_reason: finishReason(response.done, response.done_reason, false),
      },
    ],
    usage: ollamaUsage(response),
  };
}

/** An Ollama `/api/embed` reply as aiaas embeddings. */
export function fromOllamaEmbedResponse(response: OllamaEmbedResponse): EmbeddingResult {
  const prompt = response.prompt_eval_count ?? 0;
  return {
    object: 'list',
    model: response.model,
    data: response.embeddings.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: Float32Array.from(vector),
    })),
    usage: {
      prompt_tokens: prompt,
      total_tokens: prompt,
      ...(response.compute_ms === undefined ? {} : { compute_ms: response.compute_ms }),
    },
  };
}

/** One Ollama model as an OpenAI model entry. */
export function toModel(name: string, modifiedAt: string | undefined): Model {
  return { id: name, object: 'model', created: unixSeconds(modifiedAt), owned_by: 'ollama' };
}

/** `GET /api/tags` as an OpenAI model list. */
export function fromOllamaTags(response: OllamaTagsResponse): ModelList {
  return { object: 'list', data: response.models.map((model) => toModel(model.name, model.modified_at)) };
}
