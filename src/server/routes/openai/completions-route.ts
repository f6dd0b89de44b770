import { type CompletionRequest, completionRequestSchema } from '../../../wire/openai/completion-schemas.js';
import { badRequest } from '../../http/http-error.js';
import { eventStreamResponse, jsonResponse } from '../../http/route-response.js';
import type { Route } from '../../http/route-table.js';
import { parseRequest } from '../parse-request.js';
import { type RouteServices, resolveChatModel, unixSeconds } from '../route-services.js';
import { completionChunks } from './completion-chunks.js';
import { newCompletionId, systemFingerprint, usageOf } from './completion-identity.js';
import { completionPrompts } from './completion-prompts.js';
import { collectGenerations } from './interleaved-generations.js';
import { meteredGeneration } from './metered-generation.js';
import { samplingOptionsFor } from './sampling-request.js';

/** Prompts times `n`: bounds the work one request can start. */
const maxChoicesPerRequest = 64;

function rejectUnsupportedCompletionFields(request: CompletionRequest): void {
  if ((request.suffix ?? '') !== '')
    throw badRequest('ref-chat does not support suffix.', 'suffix', 'unsupported_parameter');
  if (request.logprobs != null)
    throw badRequest('ref-chat does not return logprobs.', 'logprobs', 'unsupported_parameter');
  if (request.best_of != null && request.best_of !== (request.n ?? 1)) {
    throw badRequest(
      'best_of must equal n: ref-chat does not rank candidates.',
      'best_of',
      'unsupported_parameter',
    );
  }
  if (request.stream_options != null && request.stream !== true) {
    throw badRequest('stream_options is only allowed when stream is true.', 'stream_options');
  }
}

/**
 * `POST /v1/completions` (legacy text completions) on ref-chat: every prompt gets `n`
 * choices, numbered prompt by prompt; choice `i` of each prompt samples with `seed + i`,
 * so a prompt's text does not depend on what else is in the request.
 *
 * @example
 * const routes = [completionsRoute(services)];
 */
export function completionsRoute(services: RouteServices): Route {
  return {
    method: 'POST',
    path: '/v1/completions',
    async handle(context) {
      const request = parseRequest(completionRequestSchema, await context.readJson());
      const chat = await resolveChatModel(services, request.model, '/v1/completions', context.tenant.id);
      rejectUnsupportedCompletionFields(request);
      const prompts = completionPrompts(request.prompt, chat.tokenizer);
      const promptTokens = prompts.reduce((sum, prompt) => sum + prompt.ids.length, 0);
      const choices = prompts.flatMap((prompt) =>
        samplingOptionsFor(request, {
          defaultSeed: services.seed,
          promptTokens: prompt.ids.length,
          maxModelLength: chat.maxModelLength,
          promptParam: 'prompt',
        }).map((options) => ({ prompt, options })),
      );
      if (choices.length > maxChoicesPerRequest) {
        throw badRequest(
          `A request may ask for at most ${maxChoicesPerRequest} choices (prompts times n); this one asks for ${choices.length}.`,
          'prompt',
        );
      }
      context.meter.addTokens({ input: promptTokens });
      context.model = request.model;
      const runs = choices.map(({ prompt, options }) =>
        meteredGeneration(
          chat.generate(prompt.ids, options, context.meter, context.workSignal),
          context.meter,
        ),
      );
      const echoes = request.echo === true ? choices.map(({ prompt }) => prompt.text) : undefined;
      const id = newCompletionId('cmpl');
      const created = unixSeconds();

      if (request.stream === true) {
        return eventStreamResponse(
          completionChunks({
            id,
            created,
            model: request.model,
            systemFingerprint,
            promptTokens,
            includeUsage: request.stream_options?.include_usage === true,
            runs,
            meter: context.meter,
            echoes,
          }),
        );
      }
      const results = await collectGenerations(runs);
      const completionTokens = results.reduce((sum, result) => sum + result.completionTokens, 0);
      return jsonResponse({
        id,
        object: 'text_completion',
        created,
        model: request.model,
        system_fingerprint: systemFingerprint,
        choices: results.map((result, index) => ({
          index,
          text: (echoes?.[index] ?? '') + result.text,
          logprobs: null,
          finish_reason: result.finishReason,
        })),
        usage: usageOf(promptTokens, completionTokens, context.meter),
      });
    },
  };
}
