import { z } from 'zod';
import { finishReasonSchema, openAIUsageSchema, samplingFields } from './openai-common.js';

const tokenIdsSchema = z.array(z.number().int().nonnegative());

/** `POST /v1/completions` body (legacy text completions). */
export const completionRequestSchema = z.looseObject({
  model: z.string().min(1),
  prompt: z.union([
    z.string(),
    z.array(z.string()).min(1),
    tokenIdsSchema.min(1),
    z.array(tokenIdsSchema).min(1),
  ]),
  ...samplingFields,
  echo: z.boolean().nullish(),
  suffix: z.string().nullish(),
  best_of: z.number().int().min(1).nullish(),
  logprobs: z.number().int().min(0).max(5).nullish(),
});
export type CompletionRequest = z.infer<typeof completionRequestSchema>;

const completionChoiceSchema = z.looseObject({
  index: z.number().int().nonnegative(),
  text: z.string(),
  finish_reason: finishReasonSchema.nullish(),
  logprobs: z.unknown().optional(),
});

export const completionSchema = z.looseObject({
  id: z.string(),
  object: z.literal('text_completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(completionChoiceSchema),
  usage: openAIUsageSchema.nullish(),
  system_fingerprint: z.string().nullish(),
});
export type Completion = z.infer<typeof completionSchema>;

/** A streamed text completion chunk has the same shape as the whole response. */
export const completionChunkSchema = completionSchema;
export type CompletionChunk = Completion;
