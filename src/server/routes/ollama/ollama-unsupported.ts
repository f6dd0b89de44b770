import type { OllamaChatRequest } from '../../../wire/ollama/ollama-chat-schemas.js';
import { badRequest } from '../../http/http-error.js';

/** The request fields that ask for more than plain text from ref-chat, in either generation route. */
type FeatureFields = Pick<OllamaChatRequest, 'model' | 'think' | 'tools'> & {
  images?: readonly string[] | undefined;
};

/**
 * Refuses what ref-chat cannot do instead of ignoring it (an answer that ignored `tools`
 * would not be what the caller asked for), worded as Ollama words these refusals.
 *
 * @example
 * rejectUnsupportedFeatures({ model: 'ref-chat', tools: [{ type: 'function' }] }); // throws a 400
 */
export function rejectUnsupportedFeatures(request: FeatureFields, imagesParam = 'images'): void {
  const model = request.model;
  if ((request.tools?.length ?? 0) > 0)
    throw badRequest(`"${model}" does not support tools`, 'tools', 'unsupported_parameter');
  if (request.think === true)
    throw badRequest(`"${model}" does not support thinking`, 'think', 'unsupported_parameter');
  if ((request.images?.length ?? 0) > 0)
    throw badRequest(
      `"${model}" reads text only; images are not supported`,
      imagesParam,
      'unsupported_content',
    );
}
