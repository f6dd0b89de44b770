import { AiaasError } from '../errors/index.js';
import { Money } from './money.js';

/** `total`: all time; `day`: the current UTC calendar day; `{ rollingMinutes }`: the last N minutes. */
export type BudgetWindow = 'total' | 'day' | { rollingMinutes: number };

/** `hard` refuses a reservation that would exceed the limit; `soft` lets it through and warns. */
export type BudgetMode = 'hard' | 'soft';

/** A limit as configured. */
export interface BudgetLimitOptions {
  /** `global` (default), `tag:<key>=<value>` or `key:<apiKeyId>`. */
  scope?: string;
  limit: Money;
  /** Default `total`. */
  window?: BudgetWindow;
  /** Default `hard`. */
  mode?: BudgetMode;
}

/** A limit as the budget keeps it, with an id naming it in tallies and warnings. */
export interface BudgetLimit {
  readonly id: string;
  readonly scope: string;
  readonly limit: Money;
  readonly window: BudgetWindow;
  readonly mode: BudgetMode;
}

const SCOPE_PATTERN = /^(global|tag:[^=]+=.*|key:.+)$/s;
const DAY_MS = 86_400_000;

/** Throws unless the scope is `global`, `tag:<key>=<value>` or `key:<apiKeyId>`. */
export function checkScope(scope: string): string {
  if (typeof scope !== 'string' || !SCOPE_PATTERN.test(scope)) {
    throw new AiaasError(
      `Invalid budget scope ${JSON.stringify(scope)}: use "global", "tag:<key>=<value>" or "key:<apiKeyId>".`,
      { code: 'invalid_budget_scope' },
    );
  }
  return scope;
}

/**
 * The scopes a call counts against, from its tags and API key id (`global` is always implied).
 *
 * @example
 * budgetScopes({ tags: { team: 'search' }, apiKeyId: 'key_1' }); // ['tag:team=search', 'key:key_1']
 */
export function budgetScopes(call: { tags?: Readonly<Record<string, string>>; apiKeyId?: string }): string[] {
  const scopes = Object.entries(call.tags ?? {}).map(([key, value]) => `tag:${key}=${value}`);
  if (call.apiKeyId !== undefined) scopes.push(`key:${call.apiKeyId}`);
  return scopes;
}

export function normalizeLimit(options: BudgetLimitOptions, index: number): BudgetLimit {
  if (!(options.limit instanceof Money) || options.limit.isNegative()) {
    throw new AiaasError(`Budget limit ${index} needs a non-negative Money limit.`, {
      code: 'invalid_budget_limit',
    });
  }
  const window = options.window ?? 'total';
  if (
    typeof window === 'object' &&
    !(Number.isSafeInteger(window.rollingMinutes) && window.rollingMinutes > 0)
  ) {
    throw new AiaasError(`Budget limit ${index}: rollingMinutes must be a positive integer.`, {
      code: 'invalid_budget_limit',
    });
  }
  if (window !== 'total' && window !== 'day' && typeof window !== 'object') {
    throw new AiaasError(`Budget limit ${index}: unknown window ${JSON.stringify(window)}.`, {
      code: 'invalid_budget_limit',
    });
  }
  const scope = checkScope(options.scope ?? 'global');
  const mode = options.mode ?? 'hard';
  if (mode !== 'hard' && mode !== 'soft') {
    throw new AiaasError(`Budget limit ${index}: mode must be hard or soft.`, {
      code: 'invalid_budget_limit',
    });
  }
  return Object.freeze({
    id: `${index}:${mode}:${scope}:${describeWindow(window)}`,
    scope,
    limit: options.limit,
    window,
    mode,
  });
}

/** Where a window starts at `now`; null for `total`. */
export function windowStart(window: BudgetWindow, now: Date): Date | null {
  if (window === 'total') return null;
  if (window === 'day') return new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  return new Date(now.getTime() - window.rollingMinutes * 60_000);
}

/** `total`, `per UTC day`, `per rolling 60 minutes`. */
export function describeWindow(window: BudgetWindow): string {
  if (window === 'total') return 'total';
  if (window === 'day') return 'per UTC day';
  return `per rolling ${window.rollingMinutes} minutes`;
}
