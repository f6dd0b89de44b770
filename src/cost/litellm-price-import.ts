import { ValidationError } from '../errors/index.js';
import type {
  PriceField,
  PriceVersion,
  RateCard,
  RateCatalog,
  TokenTier,
} from '../wire/aiaas/rate-card-schemas.js';
import { formatDecimal, isDecimalString, parseDecimal, shiftDecimal } from './decimal.js';

export interface LitellmImportOptions {
  /** When the imported prices start to apply (litellm keeps no dates). Default `1970-01-01`: always. */
  effectiveFrom?: string;
  /** Recorded on every card. Default `litellm model_prices_and_context_window.json`. */
  source?: string;
  /** litellm prices are USD. */
  currency?: string;
}

type TokenRateField = Exclude<keyof TokenTier, 'aboveInputTokens'>;

/** litellm per-token fields and the per-million-token fields they become. */
const TOKEN_FIELDS: Record<string, TokenRateField> = {
  input_cost_per_token: 'inputPerMillionTokens',
  cache_read_input_token_cost: 'cacheReadPerMillionTokens',
  cache_creation_input_token_cost: 'cacheWritePerMillionTokens',
  output_cost_per_token: 'outputPerMillionTokens',
  output_cost_per_reasoning_token: 'reasoningPerMillionTokens',
};
// e.g. input_cost_per_token_above_200k_tokens, cache_read_input_token_cost_above_128k_tokens
const TIER_FIELD =
  /^(input_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost|output_cost_per_token|output_cost_per_reasoning_token)_above_(\d+)k_tokens$/;

/**
 * Converts litellm's `model_prices_and_context_window.json` into a catalog object. Per-token
 * prices become per-million prices by moving the decimal point, never by float arithmetic; a
 * number in the file is first turned into its shortest decimal string (`2.5e-6` -> `'0.0000025'`),
 * which is exactly the decimal the file's author wrote. Entries without any price (and
 * `sample_spec`) are left out, so those models stay unpriced rather than free. Each card also
 * answers to `<litellm_provider>/<name>` unless another entry already has that name.
 *
 * @example
 * rateCatalogFromLitellm({ 'gpt-4o': { litellm_provider: 'openai', input_cost_per_token: 2.5e-6,
 *   output_cost_per_token: 1e-5 } });
 * // { currency: 'USD', cards: [{ id: 'gpt-4o', aliases: ['openai/gpt-4o'], prices: [{ inputPerMillionTokens: '2.5', ... }] }] }
 */
export function rateCatalogFromLitellm(json: unknown, options: LitellmImportOptions = {}): RateCatalog {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalid('', 'a litellm price file is an object keyed by model name');
  }
  const entries = Object.entries(json as Record<string, unknown>).filter(([name]) => name !== 'sample_spec');
  const taken = new Set(entries.map(([name]) => name.toLowerCase()));
  const cards: RateCard[] = [];
  const seen = new Set<string>();
  for (const [name, entry] of entries) {
    if (typeof entry !== 'object' || entry === null || seen.has(name.toLowerCase())) continue;
    seen.add(name.toLowerCase());
    const price = priceFromEntry(
      name,
      entry as Record<string, unknown>,
      options.effectiveFrom ?? '1970-01-01',
    );
    if (!price) continue;
    const provider = (entry as Record<string, unknown>).litellm_provider;
    const card: RateCard = {
      id: name,
      source: options.source ?? 'litellm model_prices_and_context_window.json',
      prices: [price],
    };
    if (typeof provider === 'string' && provider !== '') {
      card.provider = provider;
      const alias = `${provider}/${name}`;
      if (!name.includes('/') && !taken.has(alias.toLowerCase())) {
        card.aliases = [alias];
        taken.add(alias.toLowerCase());
      }
    }
    cards.push(card);
  }
  return { currency: options.currency ?? 'USD', cards };
}

function priceFromEntry(
  name: string,
  entry: Record<string, unknown>,
  effectiveFrom: string,
): PriceVersion | null {
  const price: Partial<Record<PriceField, string>> = {};
  const tiers = new Map<number, TokenTier>();
  for (const [key, raw] of Object.entries(entry)) {
    if (raw === null || raw === undefined) continue;
    const field = TOKEN_FIELDS[key];
    if (field !== undefined) {
      price[field] = perMillion(name, key, raw);
      continue;
    }
    if (key === 'input_cost_per_request') {
      price.perRequest = decimalOf(name, key, raw);
      continue;
    }
    const tierMatch = TIER_FIELD.exec(key);
    if (tierMatch) {
      const threshold = Number(tierMatch[2]) * 1000;
      const tier = tiers.get(threshold) ?? { aboveInputTokens: threshold };
      tier[TOKEN_FIELDS[tierMatch[1] ?? ''] as TokenRateField] = perMillion(name, key, raw);
      tiers.set(threshold, tier);
    }
  }
  if (Object.keys(price).length === 0) return null;
  const version: PriceVersion = { effectiveFrom, ...price };
  if (tiers.size > 0)
    version.tiers = [...tiers.values()].sort((a, b) => a.aboveInputTokens - b.aboveInputTokens);
  return version;
}

/** A per-token price as a per-million-token decimal string: the decimal point moves six places. */
function perMillion(name: string, key: string, raw: unknown): string {
  return formatDecimal(shiftDecimal(parseDecimal(decimalOf(name, key, raw)), 6));
}

function decimalOf(name: string, key: string, raw: unknown): string {
  // String(number) is the shortest decimal that reads back as the same double: what the file says.
  const text = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
  if (!isDecimalString(text) || text.trim().startsWith('-')) {
    throw invalid(`${name}.${key}`, `expected a non-negative price, got ${JSON.stringify(raw)}`);
  }
  return text;
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(`Invalid litellm price file at ${path || '(root)'}: ${message}.`, {
    issues: [{ path, message }],
    subject: 'request',
  });
}
