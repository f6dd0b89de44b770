import { AiaasError, InvalidOptionError } from '../errors/index.js';
import type { ProviderName } from '../providers/provider-types.js';
import { defaultMaxResponseBytes } from '../transport/response-size-limit.js';
import type { AiaasClientOptions } from './aiaas-client-options.js';
import { clientOptionRules } from './option-rules.js';
import { checkOptions, optionsSchema } from './option-validation.js';

export interface ResolvedClientOptions {
  provider: ProviderName;
  baseURL: string;
  apiKey: string | undefined;
  timeout: number;
  maxRetries: number;
  deadline: number | undefined;
  maxResponseBytes: number;
}

const clientOptionsSchema = optionsSchema(clientOptionRules, true);

const defaultBaseUrls: Record<ProviderName, string | undefined> = {
  openai: 'https://api.openai.com/v1',
  ollama: 'http://127.0.0.1:11434',
  oip: undefined,
};

function optionError(message: string, code: string): AiaasError {
  return new AiaasError(message, { code, retryable: false });
}

/** True for a host on this machine, where a keyless OpenAI-compatible server is normal. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host)
  );
}

/**
 * Checks every option against its rule (see `option-rules.ts`), then applies environment
 * defaults; a bad option, a missing key or URL fails here, not at the first call.
 */
export function resolveClientOptions(
  options: AiaasClientOptions,
  environment: Readonly<Record<string, string | undefined>>,
): ResolvedClientOptions {
  checkOptions(clientOptionsSchema, clientOptionRules, options, 'client option');
  const provider = options.provider ?? 'openai';
  const rawBaseUrl = options.baseURL ?? environment.AIAAS_BASE_URL ?? defaultBaseUrls[provider];
  if (!rawBaseUrl) {
    throw optionError(
      `The ${provider} provider needs a base URL: pass \`baseURL\` or set AIAAS_BASE_URL.`,
      'missing_base_url',
    );
  }
  let url: URL;
  const allowedUrl = 'an http or https URL (a string)';
  try {
    url = new URL(rawBaseUrl);
  } catch {
    throw new InvalidOptionError(
      `Invalid client option \`baseURL\`: got ${JSON.stringify(rawBaseUrl)}, which is not a valid URL; expected ${allowedUrl}.`,
      { option: 'baseURL', allowed: allowedUrl },
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidOptionError(
      `Invalid client option \`baseURL\`: got a ${url.protocol} URL; expected ${allowedUrl} (must be http or https).`,
      { option: 'baseURL', allowed: allowedUrl },
    );
  }
  const fromEnvironment =
    environment.AIAAS_API_KEY ||
    (provider === 'openai' ? environment.OPENAI_API_KEY : undefined) ||
    undefined;
  const apiKey = options.apiKey === null ? undefined : options.apiKey || fromEnvironment;
  if (
    apiKey === undefined &&
    options.apiKey !== null &&
    provider === 'openai' &&
    !isLoopbackHost(url.hostname)
  ) {
    throw optionError(
      `Missing API key for the openai provider at ${url.origin}: pass \`apiKey\`, or set AIAAS_API_KEY or OPENAI_API_KEY. ` +
        'For a server that needs no key, pass `apiKey: null`.',
      'missing_api_key',
    );
  }
  if (options.budget !== undefined && options.pricing === undefined) {
    throw new InvalidOptionError(
      'Invalid client option `budget`: a budget needs `pricing` (a PriceCatalog, or "server"): a call cannot be reserved without a price.',
      { option: 'budget', allowed: 'a Budget, together with `pricing`' },
    );
  }
  return {
    provider,
    baseURL: rawBaseUrl,
    apiKey,
    timeout: options.timeout ?? 600_000,
    maxRetries: options.maxRetries ?? 2,
    deadline: options.deadline,
    maxResponseBytes: options.maxResponseBytes ?? defaultMaxResponseBytes,
  };
}
