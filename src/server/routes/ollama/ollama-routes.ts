import type { Route } from '../../http/route-table.js';
import type { RouteServices } from '../route-services.js';
import { ollamaChatRoute } from './ollama-chat-route.js';
import { ollamaEmbedRoute } from './ollama-embed-route.js';
import { ollamaGenerateRoute } from './ollama-generate-route.js';
import { ollamaModelRoutes } from './ollama-model-routes.js';

/** Ollama's native API (`/api/...`): errors as `{"error": "..."}`, streams as NDJSON. */
export function ollamaRoutes(services: RouteServices): Route[] {
  return [
    ollamaChatRoute(services),
    ollamaGenerateRoute(services),
    ollamaEmbedRoute(services),
    ...ollamaModelRoutes(services),
  ];
}
