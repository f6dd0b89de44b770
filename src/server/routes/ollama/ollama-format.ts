import type { OllamaChatRequest } from '../../../wire/ollama/ollama-chat-schemas.js';
import type { SamplingOptions } from '../../generation/model-contracts.js';
import { badRequest } from '../../http/http-error.js';
import type { ReferenceChatModel } from '../../models/reference-chat-model.js';
import { checkedConstraint } from '../json-constraint.js';
import { checkConstraintBudget } from '../openai/structured-output.js';

/**
 * Ollama's structured outputs on ref-chat's constrained decoding: `format: "json"` makes a JSON
 * object, a JSON schema makes JSON of that schema (a schema outside the supported subset is a
 * 400 naming the keyword). `stop` would cut the JSON and `num_predict` must leave room for the
 * shortest valid answer, else a 400. No `format`: the sampling as it is.
 *
 * @example
 * withFormat(sampling, 'json', chat); // sampling constrained to a JSON object
 */
export function withFormat(
  sampling: SamplingOptions,
  format: OllamaChatRequest['format'],
  chat: ReferenceChatModel,
): SamplingOptions {
  if (format === undefined) return sampling;
  const constraint = format === 'json' ? { schema: { type: 'object' } } : checkedConstraint(format, 'format');
  if (sampling.stop.length > 0)
    throw badRequest('options.stop cannot be used with format: it would cut the JSON.', 'options.stop');
  checkConstraintBudget(
    { kind: 'json', constraint },
    chat.tokenizer,
    sampling.maxTokens,
    'options.num_predict',
  );
  return { ...sampling, constraint };
}
