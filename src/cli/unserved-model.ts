import type { AiaasClient } from '../client/aiaas-client.js';
import { AiaasError } from '../errors/aiaas-error.js';
import { UnpricedModelError } from '../errors/cost-errors.js';

/**
 * When a call failed because the server does not serve `model` (priced from the server's card,
 * an unknown model fails as unpriced before anything is sent; otherwise the server answers 404),
 * the message a user can act on: that the model was not found, and what the server does serve.
 * Undefined when the error is about something else, the model is served after all, or the list
 * cannot be read (the call's own error is then the better message).
 *
 * @example
 * const message = (await unservedModelMessage(client, 'nope', error)) ?? error.message;
 * // "model 'nope' was not found on http://127.0.0.1:8000/v1; it serves: ref-chat, ref-embed, ref-classify"
 */
export async function unservedModelMessage(
  client: AiaasClient,
  model: string,
  error: unknown,
): Promise<string | undefined> {
  const aboutTheModel =
    error instanceof UnpricedModelError || (AiaasError.isInstance(error) && error.status === 404);
  if (!aboutTheModel) return undefined;
  let served: string[];
  try {
    served = (await client.models.list({ maxRetries: 0 })).data.map((entry) => entry.id);
  } catch {
    return undefined;
  }
  if (served.includes(model)) return undefined;
  const offer = served.length === 0 ? 'it serves no models' : `it serves: ${served.join(', ')}`;
  return `model '${model}' was not found on ${client.baseURL}; ${offer}.`;
}
