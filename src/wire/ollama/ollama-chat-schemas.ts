import { z } from 'zod';
import { ollamaFormatSchema, ollamaMetricsFields, ollamaOptionsSchema } from './ollama-common.js';

/** A tool call as Ollama sends it: arguments are an object, not a JSON string as in OpenAI. */
export const ollamaToolCallSchema = z.looseObject({
  function: z.looseObject({
    name: z.string(),
    arguments: z.record(z.string(), z.unknown()),
    index: z.number().int().nonnegative().optional(),
  }),
});
export type OllamaToolCall = z.infer<typeof ollamaToolCallSchema>;

export const ollamaChatMessageSchema = z.looseObject({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string(),
  /** Base64 images (no data-URL prefix) for multimodal models. */
  images: z.array(z.string()).optional(),
  tool_calls: z.array(ollamaToolCallSchema).optional(),
  thinking: z.string().optional(),
  tool_name: z.string().optional(),
});
export type OllamaChatMessage = z.infer<typeof ollamaChatMessageSchema>;

/** `POST /api/chat` body. */
export const ollamaChatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(ollamaChatMessageSchema),
  tools: z.array(z.record(z.string(), z.unknown())).optional(),
  format: ollamaFormatSchema.optional(),
  options: ollamaOptionsSchema.optional(),
  stream: z.boolean().optional(),
  keep_alive: z.union([z.string(), z.number()]).optional(),
  think: z.boolean().optional(),
});
export type OllamaChatRequest = z.infer<typeof ollamaChatRequestSchema>;

/**
 * `POST /api/chat` answer: the whole reply with `stream: false`, or one NDJSON line of a
 * stream. Only the last line (`done: true`) carries `done_reason` and the counters.
 */
export const ollamaChatResponseSchema = z.looseObject({
  model: z.string(),
  created_at: z.string(),
  message: z.looseObject({
    role: z.literal('assistant'),
    content: z.string(),
    thinking: z.string().optional(),
    tool_calls: z.array(ollamaToolCallSchema).optional(),
  }),
  done: z.boolean(),
  done_reason: z.string().optional(),
  ...ollamaMetricsFields,
});
export type OllamaChatResponse = z.infer<typeof ollamaChatResponseSchema>;

/** One NDJSON line of a streamed `/api/chat`; same shape as the whole reply. */
export const ollamaChatStreamLineSchema = ollamaChatResponseSchema;
export type OllamaChatStreamLine = OllamaChatResponse;
