import { HttpError } from '../http/http-error.js';
import type { InferenceEngine } from '../inference/inference-engine.js';
import type { ModelDeployments } from '../models/deployment/model-deployments.js';
import type { ModelRegistry } from '../models/model-registry.js';
import { isRefChatLike } from '../models/ref-chat-base.js';
import type { ReferenceChatModel } from '../models/reference-chat-model.js';
import type { ReferenceEmbeddingModel } from '../models/reference-embedding-model.js';
import type { TunedChatModels } from '../models/tuned-chat-models.js';

/** What routes need from the server: the models, the engine, and server-wide settings. */
export interface RouteServices {
  registry: ModelRegistry;
  /** Models tenants deploy through Triton's repository extension. */
  deployments: ModelDeployments;
  engine: InferenceEngine;
  chat: ReferenceChatModel;
  /** ref-chat and the fine-tunes of it each tenant deployed. */
  tunedChats: TunedChatModels;
  embedding: ReferenceEmbeddingModel;
  /** Sampling seed for requests that send none. */
  seed: number;
  /** Unix seconds the server started: the `created` of every listed model. */
  startedAtSeconds: number;
  /** False once the server is closing (OIP readiness). */
  isReady(): boolean;
}

function capabilityError(model: string, endpoint: string): HttpError {
  return new HttpError(400, `The model '${model}' cannot be used with ${endpoint}.`, {
    param: 'model',
    code: 'model_not_supported',
  });
}

/** The chat model a request names: 404 when unknown, 400 when it is served but is not a chat model. */
export function requireChatModel(
  services: RouteServices,
  model: string,
  endpoint: string,
): ReferenceChatModel {
  if (model === services.chat.name) return services.chat;
  services.registry.resolve(model);
  throw capabilityError(model, endpoint);
}

/**
 * The chat model a request names for the caller: ref-chat or one of the caller's fine-tunes of
 * it; 404 when the caller cannot see the model, 400 when it is served but is not a chat model.
 */
export async function resolveChatModel(
  services: RouteServices,
  model: string,
  endpoint: string,
  tenant: string,
): Promise<ReferenceChatModel> {
  const chat = await services.tunedChats.resolve(model, tenant);
  if (chat === undefined) throw capabilityError(model, endpoint);
  return chat;
}

/** The embedding model a request names: 404 when unknown, 400 when it is served but does not embed text. */
export function requireEmbeddingModel(services: RouteServices, model: string): ReferenceEmbeddingModel {
  if (model === services.embedding.name) return services.embedding;
  services.registry.resolve(model);
  throw capabilityError(model, '/v1/embeddings');
}

/** A model whose tokenizer `/tokenize` can use, and the token limit it reports as `max_model_len`. */
export interface TokenizingModel {
  tokenizer: ReferenceChatModel['tokenizer'];
  maxModelLength: number;
  /** Only chat models have a chat template for `messages`. */
  hasChatTemplate: boolean;
}

/**
 * The model `/tokenize` names: ref-chat (the default), the caller's fine-tune of it (same
 * tokenizer) or ref-embed; 404 when unknown to the caller.
 */
export function requireTokenizingModel(
  services: RouteServices,
  model: string,
  tenant: string,
): TokenizingModel {
  if (model === services.embedding.name) {
    const { tokenizer, maxInputTokens } = services.embedding;
    return { tokenizer, maxModelLength: maxInputTokens, hasChatTemplate: false };
  }
  const tuned =
    model !== services.chat.name && isRefChatLike(services.registry.resolve(model, undefined, tenant));
  const chat = tuned ? services.chat : requireChatModel(services, model, '/tokenize');
  return { tokenizer: chat.tokenizer, maxModelLength: chat.maxModelLength, hasChatTemplate: true };
}

/** Unix time in whole seconds, the unit of OpenAI's `created`. */
export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
