import { randomBytes } from 'node:crypto';

/** Names the model build in responses, so a client can tell when answers may change. */
export const systemFingerprint = 'fp_aiaas_ref_1';

/** A fresh id such as `chatcmpl-3f9a…` (OpenAI's prefixes: `chatcmpl`, `cmpl`). */
export function newCompletionId(prefix: 'chatcmpl' | 'cmpl'): string {
  return `${prefix}-${randomBytes(12).toString('hex')}`;
}

/** OpenAI's usage object. */
export function usageOf(promptTokens: number, completionTokens: number) {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
}
