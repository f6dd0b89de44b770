import { z } from 'zod';

/**
 * Model options Ollama accepts in `options` (llama.cpp sampling names). Unknown keys pass
 * through, as Ollama adds options between releases.
 */
export const ollamaOptionsSchema = z.looseObject({
  temperature: z.number().min(0).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().optional(),
  num_predict: z.number().int().optional(),
  num_ctx: z.number().int().positive().optional(),
  stop: z.array(z.string()).optional(),
  seed: z.number().int().optional(),
  presence_penalty: z.number().optional(),
  frequency_penalty: z.number().optional(),
  repeat_penalty: z.number().optional(),
});
export type OllamaOptions = z.infer<typeof ollamaOptionsSchema>;

/** `format`: `"json"` for any JSON object, or a JSON schema the output must follow. */
export const ollamaFormatSchema = z.union([z.literal('json'), z.record(z.string(), z.unknown())]);
export type OllamaFormat = z.infer<typeof ollamaFormatSchema>;

const nanoseconds = z.number().int().nonnegative();

/** Milliseconds of model compute billed for the call: an aiaas/server extension Ollama's clients ignore. */
export const ollamaComputeMsField = { compute_ms: z.number().int().nonnegative().optional() };

/**
 * Counters and timings Ollama adds to a final response (and to the last NDJSON line of a
 * stream, the one with `done: true`). Durations are in nanoseconds.
 */
export const ollamaMetricsFields = {
  ...ollamaComputeMsField,
  total_duration: nanoseconds.optional(),
  load_duration: nanoseconds.optional(),
  prompt_eval_count: z.number().int().nonnegative().optional(),
  prompt_eval_duration: nanoseconds.optional(),
  eval_count: z.number().int().nonnegative().optional(),
  eval_duration: nanoseconds.optional(),
};

/** Ollama errors are a bare message: `{"error": "model \"x\" not found, try pulling it first"}`. */
export const ollamaErrorBodySchema = z.looseObject({ error: z.string() });
export type OllamaErrorBody = z.infer<typeof ollamaErrorBodySchema>;
