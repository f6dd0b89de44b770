import { type EmbeddingRequest, embeddingRequestSchema } from '../../../wire/openai/embedding-schemas.js';
import { billedComputeMs } from '../../billing/metered-usage.js';
import { truncateEmbedding } from '../../generation/embedding-input.js';
import { badRequest } from '../../http/http-error.js';
import { jsonResponse } from '../../http/route-response.js';
import type { Route } from '../../http/route-table.js';
import type { ReferenceEmbeddingModel } from '../../models/reference-embedding-model.js';
import { numberArray } from '../number-array.js';
import { parseRequest } from '../parse-request.js';
import { type RouteServices, requireEmbeddingModel } from '../route-services.js';

type EmbeddingInputs = { kind: 'texts'; texts: string[] } | { kind: 'ids'; rows: number[][] };

function inputsOf(input: EmbeddingRequest['input'], model: ReferenceEmbeddingModel): EmbeddingInputs {
  if (typeof input === 'string') input = [input];
  if (input.every((item) => typeof item === 'number')) input = [input as number[]];
  const items = input as (string | number[])[];
  const texts: string[] = [];
  const rows: number[][] = [];
  for (const [index, item] of items.entries()) {
    const param = items.length === 1 && typeof item === 'string' ? 'input' : `input.${index}`;
    if (typeof item === 'string') {
      if (item === '') throw badRequest('An input text is empty; there is nothing to embed.', param);
      texts.push(item);
      continue;
    }
    const outside = item.find((id) => id >= model.tokenizer.vocabSize);
    if (outside !== undefined) {
      throw badRequest(
        `Token id ${outside} is outside the vocabulary of ${model.tokenizer.vocabSize} tokens.`,
        param,
      );
    }
    rows.push(item);
  }
  return texts.length > 0 ? { kind: 'texts', texts } : { kind: 'ids', rows };
}

/** Little-endian float32 bytes in base64, what OpenAI sends for `encoding_format: "base64"`. */
export function float32Base64(vector: Float32Array): string {
  const bytes = Buffer.alloc(vector.length * 4);
  for (const [index, value] of vector.entries()) bytes.writeFloatLE(value, index * 4);
  return bytes.toString('base64');
}

/**
 * `POST /v1/embeddings` on ref-embed: a string, strings, token ids or lists of token ids;
 * `dimensions` keeps the leading dimensions and re-normalises; `encoding_format: base64`
 * sends little-endian float32. `prompt_tokens` counts the tokens actually embedded.
 *
 * @example
 * const routes = [embeddingsRoute(services)];
 */
export function embeddingsRoute(services: RouteServices): Route {
  return {
    method: 'POST',
    path: '/v1/embeddings',
    async handle(context) {
      const request = parseRequest(embeddingRequestSchema, await context.readJson());
      const model = requireEmbeddingModel(services, request.model);
      const dimensions = request.dimensions ?? model.dimensions;
      if (dimensions > model.dimensions) {
        throw badRequest(
          `${model.name} has ${model.dimensions} dimensions; ${dimensions} were requested.`,
          'dimensions',
        );
      }
      const inputs = inputsOf(request.input, model);
      context.model = request.model;
      const { vectors, tokenCounts } =
        inputs.kind === 'texts'
          ? await model.embedTexts(inputs.texts, context.meter)
          : await model.embedTokenIds(inputs.rows, context.meter);
      const promptTokens = tokenCounts.reduce((sum, count) => sum + count, 0);
      context.meter.addTokens({ input: promptTokens });
      const base64 = request.encoding_format === 'base64';
      return jsonResponse({
        object: 'list',
        data: vectors.map((vector, index) => {
          const shaped = dimensions === model.dimensions ? vector : truncateEmbedding(vector, dimensions);
          return {
            object: 'embedding',
            index,
            embedding: base64 ? float32Base64(shaped) : numberArray(shaped),
          };
        }),
        model: request.model,
        usage: {
          prompt_tokens: promptTokens,
          total_tokens: promptTokens,
          // The compute billed (an aiaas extension), so the client records what it pays for.
          compute_ms: billedComputeMs(context.meter.snapshot().computeMs),
        },
      });
    },
  };
}
