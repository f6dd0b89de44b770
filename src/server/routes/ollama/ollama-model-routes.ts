import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ollamaShowRequestSchema } from '../../../wire/ollama/ollama-model-schemas.js';
import { renderChatPrompt } from '../../generation/chat-template.js';
import { jsonResponse } from '../../http/route-response.js';
import type { Route } from '../../http/route-table.js';
import { serverVersion } from '../../server-version.js';
import { parseRequest } from '../parse-request.js';
import type { RouteServices } from '../route-services.js';
import { requireOllamaModel, taggedName } from './ollama-model-names.js';

/** What Ollama says about one model file: its size and digest, read once. */
interface ModelFileFacts {
  size: number;
  digest: string;
}

/** Models are always loaded here: `/api/ps` says they stay so (Ollama's "never expires"). */
const neverExpires = '9999-12-31T23:59:59Z';

function detailsOf(name: string) {
  return {
    parent_model: '',
    format: 'onnx',
    family: name,
    families: [name],
    parameter_size: '',
    quantization_level: 'F32',
  };
}

/**
 * `GET /api/tags`, `POST /api/show`, `GET /api/ps` and `GET /api/version` over the two models
 * Ollama's API can use here (ref-chat and ref-embed, tagged `:latest`). A model's size and
 * digest come from its ONNX file, hashed on first use.
 */
export function ollamaModelRoutes(services: RouteServices): Route[] {
  const facts = new Map<string, Promise<ModelFileFacts>>();
  const factsOf = (name: string): Promise<ModelFileFacts> => {
    const path = services.registry.resolve(name).path;
    let known = facts.get(path);
    if (known === undefined) {
      known = readFile(path).then((bytes) => ({
        size: bytes.length,
        digest: createHash('sha256').update(bytes).digest('hex'),
      }));
      facts.set(path, known);
    }
    return known;
  };
  const modifiedAt = () => new Date(services.startedAtSeconds * 1000).toISOString();
  const entries = () =>
    Promise.all(
      [services.chat.name, services.embedding.name].map(async (name) => ({
        name: taggedName(name),
        model: taggedName(name),
        ...(await factsOf(name)),
        details: detailsOf(name),
      })),
    );

  return [
    {
      method: 'GET',
      path: '/api/tags',
      async handle() {
        const models = await entries();
        return jsonResponse({ models: models.map((model) => ({ ...model, modified_at: modifiedAt() })) });
      },
    },
    {
      method: 'GET',
      path: '/api/ps',
      async handle() {
        const models = await entries();
        return jsonResponse({
          models: models.map((model) => ({ ...model, expires_at: neverExpires, size_vram: 0 })),
        });
      },
    },
    {
      method: 'POST',
      path: '/api/show',
      async handle(context) {
        const request = parseRequest(ollamaShowRequestSchema, await context.readJson());
        const model = requireOllamaModel(services, request.model);
        const isChat = model === services.chat;
        const contextLength = isChat ? services.chat.maxModelLength : services.embedding.maxInputTokens;
        return jsonResponse({
          modelfile: `FROM ${model.name}\n`,
          parameters: '',
          // ref-chat's transcript template, shown as the prompt it renders for one user turn.
          template: isChat ? renderChatPrompt([{ role: 'user', content: '{{ .Prompt }}' }]) : '',
          details: detailsOf(model.name),
          model_info: {
            'general.architecture': model.name,
            [`${model.name}.context_length`]: contextLength,
            ...(isChat ? {} : { [`${model.name}.embedding_length`]: services.embedding.dimensions }),
          },
          capabilities: isChat ? ['completion'] : ['embedding'],
          modified_at: modifiedAt(),
        });
      },
    },
    {
      method: 'GET',
      path: '/api/version',
      // A liveness probe, as Ollama's clients use it.
      public: true,
      async handle() {
        return jsonResponse({ version: serverVersion });
      },
    },
  ];
}
