import { HttpError } from '../../http/http-error.js';
import type { ReferenceChatModel } from '../../models/reference-chat-model.js';
import type { ReferenceEmbeddingModel } from '../../models/reference-embedding-model.js';
import type { RouteServices } from '../route-services.js';

/** Ollama's default tag: `ref-chat` and `ref-chat:latest` name the same model. */
export const defaultTag = 'latest';

/** A served model's Ollama name, e.g. `ref-chat:latest`. */
export function taggedName(name: string): string {
  return `${name}:${defaultTag}`;
}

/** Ollama's own 404 wording, which its clients show as is. */
function modelNotFound(model: string): HttpError {
  return new HttpError(404, `model "${model}" not found, try pulling it first`, {
    param: 'model',
    code: 'model_not_found',
  });
}

function notCapable(model: string, capability: string): HttpError {
  return new HttpError(400, `"${model}" does not support ${capability}`, {
    param: 'model',
    code: 'model_not_supported',
  });
}

/** The served name an Ollama model name means: `name` or `name:latest`; other tags are not served. */
function servedNameOf(model: string): string {
  const colon = model.lastIndexOf(':');
  if (colon === -1) return model;
  return model.slice(colon + 1) === defaultTag ? model.slice(0, colon) : model;
}

/**
 * The chat model an Ollama request names (`/api/chat`, `/api/generate`): 400 when it is the
 * embedding model, 404 for anything else. Only ref-chat and ref-embed are Ollama models here,
 * so no other model (another tenant's included) is ever hinted at.
 */
export function requireOllamaChatModel(
  services: RouteServices,
  model: string,
  capability: 'chat' | 'generate',
): ReferenceChatModel {
  const name = servedNameOf(model);
  if (name === services.chat.name) return services.chat;
  if (name === services.embedding.name) throw notCapable(model, capability);
  throw modelNotFound(model);
}

/** The embedding model an `/api/embed` request names: 400 for ref-chat, 404 for anything else. */
export function requireOllamaEmbeddingModel(services: RouteServices, model: string): ReferenceEmbeddingModel {
  const name = servedNameOf(model);
  if (name === services.embedding.name) return services.embedding;
  if (name === services.chat.name) throw notCapable(model, 'embeddings');
  throw modelNotFound(model);
}

/** Either Ollama model, for `/api/show`. */
export function requireOllamaModel(
  services: RouteServices,
  model: string,
): ReferenceChatModel | ReferenceEmbeddingModel {
  const name = servedNameOf(model);
  if (name === services.chat.name) return services.chat;
  if (name === services.embedding.name) return services.embedding;
  throw modelNotFound(model);
}
