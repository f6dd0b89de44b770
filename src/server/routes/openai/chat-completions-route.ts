import {
  type ChatCompletionRequest,
  chatCompletionRequestSchema,
} from '../../../wire/openai/chat-schemas.js';
import { badRequest } from '../../http/http-error.js';
import { eventStreamResponse, jsonResponse } from '../../http/route-response.js';
import type { Route } from '../../http/route-table.js';
import { parseRequest } from '../parse-request.js';
import { type RouteServices, resolveChatModel, unixSeconds } from '../route-services.js';
import { chatCompletionChunks } from './chat-completion-chunks.js';
import { templateMessagesOf } from './chat-messages.js';
import { newCompletionId, systemFingerprint, usageOf } from './completion-identity.js';
import { collectGenerations } from './interleaved-generations.js';
import { meteredGeneration } from './metered-generation.js';
import { samplingOptionsFor } from './sampling-request.js';
import { type ChatOutput, chatOutputOf, checkConstraintBudget, newToolCallId } from './structured-output.js';

function rejectUnsupportedChatFields(request: ChatCompletionRequest): void {
  if (request.logprobs === true)
    throw badRequest('ref-chat does not return logprobs.', 'logprobs', 'unsupported_parameter');
  if (request.stream_options != null && request.stream !== true) {
    throw badRequest('stream_options is only allowed when stream is true.', 'stream_options');
  }
}

function messageOf(output: ChatOutput, text: string, toolCallId: string | undefined) {
  if (output.kind !== 'tool') return { role: 'assistant', content: text, refusal: null };
  const call = { id: toolCallId, type: 'function', function: { name: output.toolName, arguments: text } };
  return { role: 'assistant', content: null, tool_calls: [call], refusal: null };
}

/**
 * `POST /v1/chat/completions` on ref-chat: the messages are rendered through the chat
 * template and tokenized (what `prompt_tokens` counts), then `n` choices are generated,
 * as one JSON answer or as SSE chunks. A JSON response format or a forced tool choice
 * constrains decoding to JSON of its schema (see `structured-output.ts`).
 *
 * @example
 * const routes = [chatCompletionsRoute(services)];
 */
export function chatCompletionsRoute(services: RouteServices): Route {
  return {
    method: 'POST',
    path: '/v1/chat/completions',
    async handle(context) {
      const request = parseRequest(chatCompletionRequestSchema, await context.readJson());
      const chat = await resolveChatModel(services, request.model, '/v1/chat/completions', context.tenant.id);
      rejectUnsupportedChatFields(request);
      const output = chatOutputOf(request, request.seed ?? services.seed);
      const promptIds = chat.encodeMessages(templateMessagesOf(request.messages));
      const samplingOptions = samplingOptionsFor(request, {
        defaultSeed: services.seed,
        promptTokens: promptIds.length,
        maxModelLength: chat.maxModelLength,
        promptParam: 'messages',
      }).map((options) => (output.kind === 'text' ? options : { ...options, constraint: output.constraint }));
      const budgetParam = request.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
      checkConstraintBudget(output, chat.tokenizer, samplingOptions[0]?.maxTokens ?? 0, budgetParam);
      context.meter.addTokens({ input: promptIds.length });
      context.model = request.model;
      const runs = samplingOptions.map((options) =>
        meteredGeneration(
          chat.generate(promptIds, options, context.meter, context.workSignal),
          context.meter,
        ),
      );
      const id = newCompletionId('chatcmpl');
      const created = unixSeconds();
      const toolCall =
        output.kind === 'tool'
          ? { name: output.toolName, ids: samplingOptions.map(() => newToolCallId()) }
          : undefined;

      if (request.stream === true) {
        return eventStreamResponse(
          chatCompletionChunks({
            id,
            created,
            model: request.model,
            systemFingerprint,
            promptTokens: promptIds.length,
            includeUsage: request.stream_options?.include_usage === true,
            runs,
            meter: context.meter,
            toolCall,
          }),
        );
      }
      const results = await collectGenerations(runs);
      const completionTokens = results.reduce((sum, result) => sum + result.completionTokens, 0);
      return jsonResponse({
        id,
        object: 'chat.completion',
        created,
        model: request.model,
        system_fingerprint: systemFingerprint,
        choices: results.map((result, index) => ({
          index,
          message: messageOf(output, result.text, toolCall?.ids[index]),
          logprobs: null,
          finish_reason:
            toolCall !== undefined && result.finishReason === 'stop' ? 'tool_calls' : result.finishReason,
        })),
        usage: usageOf(promptIds.length, completionTokens, context.meter),
      });
    },
  };
}
