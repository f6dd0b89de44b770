import type { Route } from '../../http/route-table.js';
import type { RouteServices } from '../route-services.js';
import { chatCompletionsRoute } from './chat-completions-route.js';
import { completionsRoute } from './completions-route.js';
import { embeddingsRoute } from './embeddings-route.js';
import { healthRoute } from './health-route.js';
import { modelRoute, modelsRoute } from './models-route.js';
import { tokenizeRoute } from './tokenize-route.js';

/** The OpenAI-compatible endpoints (`/v1/...`, vLLM's `/tokenize` and `/health`). */
export function openAIRoutes(services: RouteServices): Route[] {
  return [
    modelsRoute(services),
    modelRoute(services),
    chatCompletionsRoute(services),
    completionsRoute(services),
    embeddingsRoute(services),
    tokenizeRoute(services),
    healthRoute(services),
  ];
}
