import { z } from 'zod';
import { ollamaComputeMsField, ollamaOptionsSchema } from './ollama-common.js';

/** `POST /api/embed` body. */
export const ollamaEmbedRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  truncate: z.boolean().optional(),
  dimensions: z.number().int().positive().optional(),
  options: ollamaOptionsSchema.optional(),
  keep_alive: z.union([z.string(), z.number()]).optional(),
});
export type OllamaEmbedRequest = z.infer<typeof ollamaEmbedRequestSchema>;

/** `POST /api/embed` answer: one vector per input, in input order. */
export const ollamaEmbedResponseSchema = z.looseObject({
  model: z.string(),
  embeddings: z.array(z.array(z.number())),
  total_duration: z.number().int().nonnegative().optional(),
  load_duration: z.number().int().nonnegative().optional(),
  prompt_eval_count: z.number().int().nonnegative().optional(),
  ...ollamaComputeMsField,
});
export type OllamaEmbedResponse = z.infer<typeof ollamaEmbedResponseSchema>;
