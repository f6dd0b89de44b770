import { performance } from 'node:perf_hooks';
import {
  type OllamaGenerateRequest,
  ollamaGenerateRequestSchema,
} from '../../../wire/ollama/ollama-generate-schemas.js';
import type { TemplateMessage } from '../../generation/model-contracts.js';
import { badRequest } from '../../http/http-error.js';
import type { Route } from '../../http/route-table.js';
import type { ReferenceChatModel } from '../../models/reference-chat-model.js';
import { parseRequest } from '../parse-request.js';
import type { RouteServices } from '../route-services.js';
import { loadedAnswer, ollamaGeneration } from './ollama-generation.js';
import { requireOllamaChatModel } from './ollama-model-names.js';
import { rejectUnsupportedFeatures } from './ollama-unsupported.js';

function rejectUnsupportedGenerateFields(request: OllamaGenerateRequest): void {
  rejectUnsupportedFeatures(request);
  if ((request.suffix ?? '') !== '')
    throw badRequest(`"${request.model}" does not support insert`, 'suffix', 'unsupported_parameter');
  // A Go template of the caller's would be ignored: ref-chat has its own transcript format.
  if ((request.template ?? '') !== '')
    throw badRequest(
      `"${request.model}" does not take a custom template`,
      'template',
      'unsupported_parameter',
    );
}

/** The `context` ids of an earlier answer, checked against the vocabulary. */
function contextIds(request: OllamaGenerateRequest, chat: ReferenceChatModel): number[] {
  const ids = request.context ?? [];
  const outside = ids.findIndex((id) => id < 0 || id >= chat.tokenizer.vocabSize);
  if (outside !== -1) {
    throw badRequest(
      `context.${outside} is ${ids[outside]}, not a token id of ${request.model} (0 to ${chat.tokenizer.vocabSize - 1}).`,
      `context.${outside}`,
    );
  }
  return ids;
}

/** The prompt ids: the earlier `context`, then the prompt as is (`raw`) or through the chat template with `system`. */
function promptIdsOf(request: OllamaGenerateRequest, chat: ReferenceChatModel): number[] {
  const earlier = contextIds(request, chat);
  if (request.raw === true) return [...earlier, ...chat.tokenizer.encode(request.prompt)];
  const messages: TemplateMessage[] = [];
  if ((request.system ?? '') !== '') messages.push({ role: 'system', content: request.system! });
  messages.push({ role: 'user', content: request.prompt });
  return [...earlier, ...chat.encodeMessages(messages)];
}

/**
 * `POST /api/generate` on ref-chat: a prompt through the chat template (or as is with
 * `raw`), after the `context` of an earlier answer; the last line carries the `context` to
 * continue from. NDJSON unless `stream` is false, as in Ollama.
 *
 * @example
 * const routes = [ollamaGenerateRoute(services)];
 */
export function ollamaGenerateRoute(services: RouteServices): Route {
  return {
    method: 'POST',
    path: '/api/generate',
    async handle(context) {
      const startedAt = performance.now();
      const request = parseRequest(ollamaGenerateRequestSchema, await context.readJson());
      const chat = requireOllamaChatModel(services, request.model, 'generate');
      rejectUnsupportedGenerateFields(request);
      if (request.prompt === '' && (request.context?.length ?? 0) === 0)
        return loadedAnswer(request.model, 'generate');
      const promptIds = promptIdsOf(request, chat);
      return ollamaGeneration({
        context,
        chat,
        request,
        promptIds,
        defaultSeed: services.seed,
        shape: 'generate',
        startedAt,
      });
    },
  };
}
