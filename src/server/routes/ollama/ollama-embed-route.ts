import { performance } from 'node:perf_hooks';
import { ollamaEmbedRequestSchema } from '../../../wire/ollama/ollama-embed-schemas.js';
import { billedComputeMs } from '../../billing/metered-usage.js';
import { truncateEmbedding } from '../../generation/embedding-input.js';
import { badRequest } from '../../http/http-error.js';
import { jsonResponse } from '../../http/route-response.js';
import type { Route } from '../../http/route-table.js';
import type { ReferenceEmbeddingModel } from '../../models/reference-embedding-model.js';
import { numberArray } from '../number-array.js';
import { parseRequest } from '../parse-request.js';
import type { RouteServices } from '../route-services.js';
import { requireOllamaEmbeddingModel } from './ollama-model-names.js';

/** With `truncate: false`, an input longer than the model's context is a 400, as in Ollama. */
function rejectTooLong(texts: readonly string[], model: ReferenceEmbeddingModel, param: string): void {
  for (const [index, text] of texts.entries()) {
    const tokens = model.tokenizer.encode(text).length;
    if (tokens > model.maxInputTokens) {
      throw badRequest(
        `input length exceeds the context length: ${tokens} tokens, ${model.name} takes ${model.maxInputTokens}`,
        texts.length === 1 ? param : `${param}.${index}`,
        'context_length_exceeded',
      );
    }
  }
}

/**
 * `POST /api/embed` on ref-embed: a string or strings, one vector each in `embeddings`;
 * `dimensions` keeps the leading ones and re-normalises; longer inputs are truncated unless
 * `truncate` is false. Metered like `/v1/embeddings`; `compute_ms` is the compute billed.
 *
 * @example
 * const routes = [ollamaEmbedRoute(services)];
 */
export function ollamaEmbedRoute(services: RouteServices): Route {
  return {
    method: 'POST',
    path: '/api/embed',
    async handle(context) {
      const startedAt = performance.now();
      const request = parseRequest(ollamaEmbedRequestSchema, await context.readJson());
      const model = requireOllamaEmbeddingModel(services, request.model);
      const dimensions = request.dimensions ?? model.dimensions;
      if (dimensions > model.dimensions) {
        throw badRequest(
          `${model.name} has ${model.dimensions} dimensions; ${dimensions} were requested.`,
          'dimensions',
        );
      }
      // Ollama answers an empty input with no vectors: nothing to embed, nothing billed.
      if (request.input === '') return jsonResponse({ model: request.model, embeddings: [] });
      const texts = typeof request.input === 'string' ? [request.input] : request.input;
      if (request.truncate === false) rejectTooLong(texts, model, 'input');
      context.model = model.name;
      const { vectors, tokenCounts } = await model.embedTexts(texts, context.meter);
      const promptTokens = tokenCounts.reduce((sum, count) => sum + count, 0);
      context.meter.addTokens({ input: promptTokens });
      const totalNanoseconds = Math.round((performance.now() - startedAt) * 1_000_000);
      return jsonResponse({
        model: request.model,
        embeddings: vectors.map((vector) =>
          numberArray(dimensions === model.dimensions ? vector : truncateEmbedding(vector, dimensions)),
        ),
        total_duration: totalNanoseconds,
        load_duration: 0,
        prompt_eval_count: promptTokens,
        compute_ms: billedComputeMs(context.meter.snapshot().computeMs),
      });
    },
  };
}
