import { z } from 'zod';

const modelDetailsSchema = z.looseObject({
  format: z.string().optional(),
  family: z.string().optional(),
  families: z.array(z.string()).nullish(),
  parameter_size: z.string().optional(),
  quantization_level: z.string().optional(),
});

/** One entry of `GET /api/tags`. */
export const ollamaModelSchema = z.looseObject({
  name: z.string(),
  model: z.string().optional(),
  modified_at: z.string(),
  size: z.number().int().nonnegative(),
  digest: z.string(),
  details: modelDetailsSchema.optional(),
});
export type OllamaModel = z.infer<typeof ollamaModelSchema>;

/** `GET /api/tags`: the models pulled locally. */
export const ollamaTagsResponseSchema = z.looseObject({ models: z.array(ollamaModelSchema) });
export type OllamaTagsResponse = z.infer<typeof ollamaTagsResponseSchema>;

/** `POST /api/show` body. */
export const ollamaShowRequestSchema = z.looseObject({
  model: z.string().min(1),
  verbose: z.boolean().optional(),
});

/** `POST /api/show` answer (only the fields the SDK reads are required). */
export const ollamaShowResponseSchema = z.looseObject({
  modified_at: z.string().optional(),
  details: modelDetailsSchema.optional(),
  capabilities: z.array(z.string()).optional(),
  template: z.string().optional(),
  parameters: z.string().optional(),
});
export type OllamaShowResponse = z.infer<typeof ollamaShowResponseSchema>;
