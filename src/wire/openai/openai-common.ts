import { z } from 'zod';

/** Token usage as OpenAI reports it: `prompt_tokens` includes cached tokens, `completion_tokens` includes reasoning tokens. */
export const openAIUsageSchema = z.looseObject({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative().default(0),
  total_tokens: z.number().int().nonnegative(),
  prompt_tokens_details: z
    .looseObject({
      cached_tokens: z.number().int().nonnegative().optional(),
      audio_tokens: z.number().int().nonnegative().optional(),
    })
    .nullish(),
  completion_tokens_details: z
    .looseObject({
      reasoning_tokens: z.number().int().nonnegative().optional(),
      audio_tokens: z.number().int().nonnegative().optional(),
      accepted_prediction_tokens: z.number().int().nonnegative().optional(),
      rejected_prediction_tokens: z.number().int().nonnegative().optional(),
    })
    .nullish(),
});
export type OpenAIUsage = z.infer<typeof openAIUsageSchema>;

/** Stop sequences: one string or up to four. */
export const stopSchema = z.union([z.string(), z.array(z.string()).max(4)]);

export const streamOptionsSchema = z.looseObject({
  include_usage: z.boolean().optional(),
});

/** Sampling fields shared by chat and text completions. */
export const samplingFields = {
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  /** vLLM's extension; 0 or -1 mean no cut. */
  top_k: z.number().int().min(-1).nullish(),
  n: z.number().int().min(1).max(16).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  stop: stopSchema.nullish(),
  seed: z.number().int().nullish(),
  stream: z.boolean().nullish(),
  stream_options: streamOptionsSchema.nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  user: z.string().optional(),
};

export const finishReasonSchema = z.string();
