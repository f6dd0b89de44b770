import { AiaasError } from '../errors/index.js';
import type { ProviderContext } from './base-provider.js';
import { OIPProvider } from './oip/oip-provider.js';
import { OllamaProvider } from './ollama/ollama-provider.js';
import { OpenAIProvider } from './openai/openai-provider.js';
import type { Provider, ProviderName } from './provider-types.js';

/** The provider for a dialect name. */
export function createProvider(name: ProviderName, context: ProviderContext): Provider {
  switch (name) {
    case 'openai':
      return new OpenAIProvider(context);
    case 'oip':
      return new OIPProvider(context);
    case 'ollama':
      return new OllamaProvider(context);
    default:
      throw new AiaasError(`Unknown provider "${String(name)}". Use 'openai', 'oip' or 'ollama'.`, {
        code: 'invalid_option',
      });
  }
}
