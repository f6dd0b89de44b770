import { performance } from 'node:perf_hooks';
import { ollamaChatRequestSchema } from '../../../wire/ollama/ollama-chat-schemas.js';
import type { Route } from '../../http/route-table.js';
import { parseRequest } from '../parse-request.js';
import type { RouteServices } from '../route-services.js';
import { loadedAnswer, ollamaGeneration } from './ollama-generation.js';
import { requireOllamaChatModel } from './ollama-model-names.js';
import { rejectUnsupportedFeatures } from './ollama-unsupported.js';

/**
 * `POST /api/chat` on ref-chat: the messages go through ref-chat's chat template (what
 * `prompt_eval_count` counts), `options` map onto its sampling, and the reply streams as
 * NDJSON unless `stream` is false, as in Ollama.
 *
 * @example
 * const routes = [ollamaChatRoute(services)];
 */
export function ollamaChatRoute(services: RouteServices): Route {
  return {
    method: 'POST',
    path: '/api/chat',
    async handle(context) {
      const startedAt = performance.now();
      const request = parseRequest(ollamaChatRequestSchema, await context.readJson());
      const chat = requireOllamaChatModel(services, request.model, 'chat');
      rejectUnsupportedFeatures(request);
      for (const [index, message] of request.messages.entries()) {
        rejectUnsupportedFeatures(
          { model: request.model, images: message.images },
          `messages.${index}.images`,
        );
      }
      if (request.messages.length === 0) return loadedAnswer(request.model, 'chat');
      const promptIds = chat.encodeMessages(
        request.messages.map((message) => ({ role: message.role, content: message.content })),
      );
      return ollamaGeneration({
        context,
        chat,
        request,
        promptIds,
        defaultSeed: services.seed,
        shape: 'chat',
        startedAt,
      });
    },
  };
}
