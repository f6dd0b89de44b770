import { z } from 'zod';
import { ollamaFormatSchema, ollamaMetricsFields, ollamaOptionsSchema } from './ollama-common.js';

/** `POST /api/generate` body (raw prompt completion). */
export const ollamaGenerateRequestSchema = z.looseObject({
  model: z.string().min(1),
  prompt: z.string(),
  suffix: z.string().optional(),
  system: z.string().optional(),
  template: z.string().optional(),
  images: z.array(z.string()).optional(),
  format: ollamaFormatSchema.optional(),
  options: ollamaOptionsSchema.optional(),
  stream: z.boolean().optional(),
  raw: z.boolean().optional(),
  keep_alive: z.union([z.string(), z.number()]).optional(),
  context: z.array(z.number().int()).optional(),
});
export type OllamaGenerateRequest = z.infer<typeof ollamaGenerateRequestSchema>;

/** `POST /api/generate` answer, or one NDJSON line of its stream (`done: true` on the last). */
export const ollamaGenerateResponseSchema = z.looseObject({
  model: z.string(),
  created_at: z.string(),
  response: z.string(),
  thinking: z.string().optional(),
  done: z.boolean(),
  done_reason: z.string().optional(),
  /** Token ids of the conversation so far, to continue it in a later request. */
  context: z.array(z.number().int()).optional(),
  ...ollamaMetricsFields,
});
export type OllamaGenerateResponse = z.infer<typeof ollamaGenerateResponseSchema>;

export const ollamaGenerateStreamLineSchema = ollamaGenerateResponseSchema;
export type OllamaGenerateStreamLine = OllamaGenerateResponse;
