import { AiaasError } from '../errors/index.js';
import { Money } from './money.js';
import { emptyUsage, type Usage } from './usage.js';

/** How an attempt ended: `aborted` and `error` attempts may still have cost money. */
export type LedgerStatus = 'ok' | 'error' | 'aborted';

export const LEDGER_STATUSES: readonly LedgerStatus[] = ['ok', 'error', 'aborted'];

/** One attempt that may have cost money. Retries of one logical call share the `idempotencyKey`. */
export interface LedgerEntry {
  readonly id: string;
  /** The provider's request id (`x-request-id`), when a response arrived. */
  readonly requestId: string | null;
  readonly idempotencyKey: string | null;
  /** 1 for the first attempt of a logical call. */
  readonly attempt: number;
  readonly model: string;
  /** The provider or dialect, e.g. `openai`, `oip`, `aiaas`. */
  readonly provider: string;
  readonly usage: Usage;
  /** Null when the model could not be priced (recorded anyway: usage is never dropped). */
  readonly cost: Money | null;
  readonly tags: Readonly<Record<string, string>>;
  /** Which API key paid (an id, never the key itself). */
  readonly apiKeyId?: string;
  readonly time: Date;
  readonly status: LedgerStatus;
}

/** What {@link Ledger.append} takes: `id` and `time` default to a UUID and now. */
export interface LedgerEntryInput {
  id?: string;
  requestId?: string | null;
  idempotencyKey?: string | null;
  attempt?: number;
  model: string;
  provider: string;
  usage?: Usage;
  cost: Money | null;
  tags?: Readonly<Record<string, string>>;
  apiKeyId?: string;
  time?: Date;
  status: LedgerStatus;
}

/** Selects entries; every given field must match. `from` is inclusive, `until` exclusive. */
export interface LedgerFilter {
  model?: string;
  provider?: string;
  status?: LedgerStatus;
  apiKeyId?: string;
  requestId?: string;
  idempotencyKey?: string;
  /** Every tag given must be present with that value. */
  tags?: Readonly<Record<string, string>>;
  /** Only entries priced in this currency. */
  currency?: string;
  from?: Date;
  until?: Date;
}

const NO_TAGS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Fills defaults and checks an entry, so no store ever holds a malformed one.
 *
 * Hot: called once per attempt. Plain object literals and a `for…in` copy of the tags, because
 * object spread (`{ ...tags }`, a conditional `...(x ? {…} : {})`) takes V8's slow path on Node 20.
 */
export function completeLedgerEntry(
  input: LedgerEntryInput,
  makeId: () => string,
  now: () => Date,
  lastTags?: LedgerTagsMemo,
): LedgerEntry {
  let tags = NO_TAGS;
  let tagProblem: string | undefined;
  const given = input.tags;
  if (given !== undefined && given !== null && isSharableTags(given)) {
    // A frozen plain object cannot change under the entry: kept as is, not copied (the client
    // hands every entry of a call the same frozen tags).
    for (const key in given) {
      if (typeof given[key] !== 'string') {
        tagProblem = `tag "${key}" must be a string`;
        break;
      }
    }
    tags = given;
  } else if (given !== undefined && given !== null) {
    const previous = lastTags?.tags;
    if (previous !== undefined && sameTags(given, previous)) {
      // The same tags as the last entry: share its frozen copy instead of making another.
      tags = previous;
    } else {
      const copy: Record<string, string> = {};
      let any = false;
      for (const key in given) {
        if (!Object.hasOwn(given, key)) continue;
        const value = given[key] as unknown;
        if (tagProblem === undefined && typeof value !== 'string')
          tagProblem = `tag "${key}" must be a string`;
        copy[key] = value as string;
        any = true;
      }
      if (any) {
        tags = Object.freeze(copy);
        if (lastTags !== undefined && tagProblem === undefined) lastTags.tags = tags;
      }
    }
  }
  const id = input.id ?? makeId();
  const requestId = input.requestId ?? null;
  const idempotencyKey = input.idempotencyKey ?? null;
  const attempt = input.attempt ?? 1;
  const usage = input.usage ?? emptyUsage();
  const time = input.time ?? now();
  const { model, provider, cost, status, apiKeyId } = input;
  // One literal per shape, every field in place (fields added afterwards would need a second
  // backing store per entry); `apiKeyId`, when given, comes before `time`.
  const entry: LedgerEntry =
    apiKeyId === undefined
      ? { id, requestId, idempotencyKey, attempt, model, provider, usage, cost, tags, time, status }
      : {
          id,
          requestId,
          idempotencyKey,
          attempt,
          model,
          provider,
          usage,
          cost,
          tags,
          apiKeyId,
          time,
          status,
        };
  const problem = problemWith(entry) ?? tagProblem;
  if (problem) throw new AiaasError(`Invalid ledger entry: ${problem}.`, { code: 'invalid_ledger_entry' });
  return Object.freeze(entry);
}

/** The last tags a {@link Ledger} copied, so that a run of entries with equal tags shares one copy. */
export interface LedgerTagsMemo {
  tags: Readonly<Record<string, string>> | undefined;
}

/** True when `given` has exactly the own keys and values of `copy` (a frozen copy of string tags). */
function sameTags(given: Readonly<Record<string, string>>, copy: Readonly<Record<string, string>>): boolean {
  let count = 0;
  for (const key in given) {
    if (!Object.hasOwn(given, key)) continue;
    if (!Object.hasOwn(copy, key) || copy[key] !== given[key]) return false;
    count += 1;
  }
  let expected = 0;
  for (const _ in copy) expected += 1;
  return count === expected;
}

/** Frozen, with no prototype to inherit keys from but Object's own (which has no enumerable ones). */
function isSharableTags(tags: Readonly<Record<string, string>>): boolean {
  if (!Object.isFrozen(tags)) return false;
  const prototype = Object.getPrototypeOf(tags);
  return prototype === Object.prototype || prototype === null;
}

function problemWith(entry: LedgerEntry): string | undefined {
  if (typeof entry.id !== 'string' || entry.id === '') return 'id must be a non-empty string';
  if (typeof entry.model !== 'string' || entry.model === '') return 'model must be a non-empty string';
  if (typeof entry.provider !== 'string' || entry.provider === '')
    return 'provider must be a non-empty string';
  if (!Number.isSafeInteger(entry.attempt) || entry.attempt < 0)
    return 'attempt must be a non-negative integer';
  const status = entry.status;
  if (status !== 'ok' && status !== 'error' && status !== 'aborted')
    return `status must be one of ${LEDGER_STATUSES.join(', ')}`;
  if (!(entry.time instanceof Date) || Number.isNaN(entry.time.getTime())) return 'time must be a valid Date';
  if (entry.cost !== null && !(entry.cost instanceof Money)) return 'cost must be Money or null';
  return undefined;
}

/**
 * True when an entry passes every condition of the filter (for custom stores).
 *
 * @example
 * entries.filter((entry) => matchesLedgerFilter(entry, { tags: { team: 'search' } }));
 */
export function matchesLedgerFilter(entry: LedgerEntry, filter: LedgerFilter): boolean {
  if (filter.model !== undefined && entry.model !== filter.model) return false;
  if (filter.provider !== undefined && entry.provider !== filter.provider) return false;
  if (filter.status !== undefined && entry.status !== filter.status) return false;
  if (filter.apiKeyId !== undefined && entry.apiKeyId !== filter.apiKeyId) return false;
  if (filter.requestId !== undefined && entry.requestId !== filter.requestId) return false;
  if (filter.idempotencyKey !== undefined && entry.idempotencyKey !== filter.idempotencyKey) return false;
  if (filter.currency !== undefined && entry.cost?.currency !== filter.currency) return false;
  if (filter.from !== undefined && entry.time.getTime() < filter.from.getTime()) return false;
  if (filter.until !== undefined && entry.time.getTime() >= filter.until.getTime()) return false;
  for (const [key, value] of Object.entries(filter.tags ?? {})) {
    if (entry.tags[key] !== value) return false;
  }
  return true;
}
