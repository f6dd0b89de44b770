import { AiaasError } from '../errors/index.js';
import type { PriceVersion } from '../wire/aiaas/rate-card-schemas.js';

/**
 * Declared ceilings of what a client cannot know before a call: the response body's bytes and
 * the provider's compute time. A budget reserves the quote's max, so a card that bills such a
 * quantity needs a ceiling here for a hard limit to hold; it must be a TRUE upper bound (a
 * response larger than declared is settled at its real cost and can overspend by the difference).
 */
export interface CostBound {
  /**
   * The most request-body bytes one attempt sends (priced by `perMegabyteIn`). Only consulted
   * when the client cannot count the body exactly before sending: chat and text completions,
   * and embeddings through a dialect that rewrites the request (ollama). Embeddings through the
   * openai dialect and OIP inference are counted exactly and need no bound.
   */
  maxInputBytes?: number | undefined;
  /** The most response-body bytes one attempt can return (priced by `perMegabyteOut`). */
  maxOutputBytes?: number | undefined;
  /** The most compute milliseconds one attempt can be billed (priced by `perComputeSecond`). */
  maxComputeMs?: number | undefined;
}

/**
 * Bounds per model: keys are exact model names or globs (`*` any run, `?` one character),
 * matched case-insensitively; an exact name wins over a glob, a longer glob over a shorter one.
 *
 * @example
 * const costBounds: CostBounds = { 'ref-embed': { maxOutputBytes: 200_000 }, 'ref-*': { maxComputeMs: 2_000 } };
 */
export type CostBounds = Readonly<Record<string, CostBound>>;

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`, 'is');
}

/** The bound declared for a model (exact name first, then the most specific glob), or undefined. */
export function resolveCostBound(bounds: CostBounds | undefined, model: string): CostBound | undefined {
  if (bounds === undefined) return undefined;
  const lower = model.toLowerCase();
  let best: { key: string; bound: CostBound } | undefined;
  for (const [key, bound] of Object.entries(bounds)) {
    if (key.toLowerCase() === lower) return bound;
    if (
      /[*?]/.test(key) &&
      globToRegExp(key).test(model) &&
      (best === undefined || key.length > best.key.length)
    )
      best = { key, bound };
  }
  return best?.bound;
}

/** Throws unless every declared bound is a non-negative safe integer. */
export function checkCostBounds(bounds: CostBounds | undefined): void {
  for (const [key, bound] of Object.entries(bounds ?? {})) {
    for (const field of ['maxInputBytes', 'maxOutputBytes', 'maxComputeMs'] as const) {
      const value = bound[field];
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) {
        throw new AiaasError(
          `costBounds["${key}"].${field} must be a non-negative integer, got ${String(value)}.`,
          {
            code: 'invalid_cost_bounds',
          },
        );
      }
    }
  }
}

function isPositive(rate: string | undefined): boolean {
  return rate !== undefined && /[1-9]/.test(rate);
}

/**
 * Refuses a call under a hard budget whose price bills a quantity with no declared ceiling:
 * its reservation would be too small and the settlement could push spend over the limit.
 * `bytesInKnown` says whether the call's request bytes were counted exactly before sending.
 */
export function requireCostBounds(
  model: string,
  price: PriceVersion,
  bound: CostBound | undefined,
  bytesInKnown = false,
): void {
  const missing: string[] = [];
  if (!bytesInKnown && isPositive(price.perMegabyteIn) && bound?.maxInputBytes === undefined)
    missing.push(
      'maxInputBytes (the card prices request bytes, perMegabyteIn, and this call cannot count them before sending)',
    );
  if (isPositive(price.perMegabyteOut) && bound?.maxOutputBytes === undefined)
    missing.push('maxOutputBytes (the card prices response bytes, perMegabyteOut)');
  if (isPositive(price.perComputeSecond) && bound?.maxComputeMs === undefined)
    missing.push('maxComputeMs (the card prices compute time, perComputeSecond)');
  if (missing.length === 0) return;
  throw new AiaasError(
    `A hard budget cannot reserve "${model}": its cost has no ceiling for ${missing.join(' and ')}. ` +
      `Declare a true upper bound on the client, e.g. costBounds: { '${model}': { ${missing
        .map((text) => `${text.split(' ')[0]}: ...`)
        .join(', ')} } }.`,
    { code: 'unbounded_cost', retryable: false },
  );
}
