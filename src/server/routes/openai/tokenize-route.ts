import { tokenizeRequestSchema } from '../../../wire/openai/tokenize-schemas.js';
import { renderChatPrompt } from '../../generation/chat-template.js';
import { badRequest } from '../../http/http-error.js';
import type { RequestContext } from '../../http/request-context.js';
import { jsonResponse } from '../../http/route-response.js';
import type { Route } from '../../http/route-table.js';
import { parseRequest } from '../parse-request.js';
import { type RouteServices, requireTokenizingModel, type TokenizingModel } from '../route-services.js';
import { templateMessagesOf } from './chat-messages.js';

const [promptRequestSchema, messagesRequestSchema] = tokenizeRequestSchema.options;

function isObjectWith(value: unknown, key: string): boolean {
  return typeof value === 'object' && value !== null && key in value;
}

function tokenized(model: TokenizingModel, text: string, context: RequestContext) {
  const tokens = model.tokenizer.encode(text);
  context.meter.addTokens({ input: tokens.length });
  return jsonResponse({ count: tokens.length, max_model_len: model.maxModelLength, tokens });
}

/**
 * vLLM-style `POST /tokenize`: a `prompt`, or `messages` rendered through the chat template
 * (exactly what chat completions count as `prompt_tokens`), answered with
 * `{count, max_model_len, tokens}`. `model` may be ref-chat (the default), the caller's fine-tune
 * of it, or ref-embed, whose own vocabulary gives the ids `/v1/embeddings` accepts.
 *
 * @example
 * const routes = [tokenizeRoute(services)];
 */
export function tokenizeRoute(services: RouteServices): Route {
  return {
    method: 'POST',
    path: '/tokenize',
    async handle(context) {
      const body = await context.readJson();
      // Validating against the branch the body means gives errors that name its field, not "invalid union".
      if (isObjectWith(body, 'messages')) {
        const request = parseRequest(messagesRequestSchema, body);
        const model = requireTokenizingModel(
          services,
          request.model ?? services.chat.name,
          context.tenant.id,
        );
        if (!model.hasChatTemplate) {
          throw badRequest(
            `The model '${request.model}' has no chat template; send a prompt.`,
            'messages',
            'model_not_supported',
          );
        }
        if (request.add_generation_prompt === false) {
          throw badRequest(
            'The chat template always ends with the assistant prompt.',
            'add_generation_prompt',
            'unsupported_parameter',
          );
        }
        return tokenized(model, renderChatPrompt(templateMessagesOf(request.messages)), context);
      }
      const request = parseRequest(promptRequestSchema, body);
      return tokenized(
        requireTokenizingModel(services, request.model ?? services.chat.name, context.tenant.id),
        request.prompt,
        context,
      );
    },
  };
}
