import { AiaasError } from '../errors/index.js';

/**
 * Where a count came from:
 * - `reported`: the provider reported it, or the client measured it exactly (bytes on the wire);
 * - `recovered`: rebuilt after the fact from partial data (a broken stream, a provider's usage records);
 * - `estimated`: approximated, e.g. counted with a local tokenizer before or without a report.
 */
export type Provenance = 'reported' | 'recovered' | 'estimated';

/**
 * The usage buckets. They never overlap: `inputTokens` excludes cache reads and writes,
 * `outputTokens` excludes reasoning tokens, so every bucket can carry its own price.
 */
export const USAGE_BUCKETS = [
  'inputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'outputTokens',
  'reasoningTokens',
  'computeMs',
  'bytesIn',
  'bytesOut',
  'tensorElements',
  'requests',
  // A deployed model's READY time (pay per model): only the provider measures it, so it reaches
  // a ledger from the provider's billing records (`recoverUsage()`), never from a call.
  'deployedSeconds',
  // Examples a fine-tuning job trained on (examples × epochs): like deployedSeconds, only the
  // provider measures it.
  'trainedExamples',
] as const;

export type UsageBucket = (typeof USAGE_BUCKETS)[number];

/** One bucket's count: a non-negative integer and where it came from. */
export interface UsageCount {
  readonly value: number;
  readonly provenance: Provenance;
}

/** Canonical usage: every bucket is always present (zero when nothing was used). */
export type Usage = { readonly [Bucket in UsageBucket]: UsageCount };

/** What {@link makeUsage} takes per bucket: a plain count, or a count with its own provenance. */
export type UsageInput = Partial<Record<UsageBucket, number | UsageCount>>;

// Least trustworthy last: a sum is only as trustworthy as its weakest part.
const PROVENANCE_RANK: Record<Provenance, number> = { reported: 0, recovered: 1, estimated: 2 };
const ZERO: UsageCount = Object.freeze({ value: 0, provenance: 'reported' });
const BUCKET_NAMES: ReadonlySet<string> = new Set(USAGE_BUCKETS);

// Counts are frozen, so small ones can be shared: every call's usage then allocates far fewer
// objects (the client builds several usages per call).
const SHARED_COUNT_LIMIT = 4096;
const sharedCounts: Record<Provenance, (UsageCount | undefined)[]> = {
  reported: [],
  recovered: [],
  estimated: [],
};

/** A frozen count, shared for small values. */
function usageCount(value: number, provenance: Provenance): UsageCount {
  if (value >= SHARED_COUNT_LIMIT || !Number.isInteger(value) || value < 0) {
    return Object.freeze({ value, provenance });
  }
  const shared = Object.hasOwn(sharedCounts, provenance) ? sharedCounts[provenance] : undefined;
  if (shared === undefined) return Object.freeze({ value, provenance });
  let count = shared[value];
  if (count === undefined) {
    count = Object.freeze({ value, provenance });
    shared[value] = count;
  }
  return count;
}

/**
 * Usage with every bucket at a reported zero: the identity of {@link addUsage}.
 *
 * @example
 * addUsage(emptyUsage(), usage); // equal to usage
 */
export function emptyUsage(): Usage {
  return Object.freeze(Object.fromEntries(USAGE_BUCKETS.map((bucket) => [bucket, ZERO]))) as Usage;
}

/**
 * Builds usage from plain counts. Given buckets take `provenance`; buckets not given are a reported zero.
 *
 * @example
 * makeUsage({ inputTokens: 12, outputTokens: 30, requests: 1 });
 * makeUsage({ inputTokens: 812 }, 'estimated');
 */
export function makeUsage(values: UsageInput, provenance: Provenance = 'reported'): Usage {
  const usage = usageOf((bucket) => {
    const given = values[bucket];
    if (given === undefined) return ZERO;
    const count = typeof given === 'number' ? { value: given, provenance } : given;
    checkCount(bucket, count.value);
    checkProvenance(bucket, count.provenance);
    return usageCount(count.value, count.provenance);
  });
  for (const key in values) {
    if (Object.hasOwn(values, key) && !BUCKET_NAMES.has(key)) {
      throw new AiaasError(`Unknown usage bucket "${key}"; the buckets are ${USAGE_BUCKETS.join(', ')}.`);
    }
  }
  return usage;
}

/** A plain count for every bucket: what {@link usageFromCounts} takes. */
export type UsageCounts = Record<UsageBucket, number>;

/**
 * Usage from a count for every bucket, all with one provenance: {@link makeUsage} without its
 * per-bucket provenance and unknown-bucket checks, for the SDK's own per-call paths (the type
 * admits no other key). Counts are still checked.
 *
 * @example
 * usageFromCounts({ inputTokens: 12, cacheReadTokens: 0, cacheWriteTokens: 0, outputTokens: 30, reasoningTokens: 0,
 *   computeMs: 0, bytesIn: 310, bytesOut: 922, tensorElements: 0, requests: 1 }, 'reported');
 */
export function usageFromCounts(counts: UsageCounts, provenance: Provenance): Usage {
  checkProvenance('requests', provenance);
  return usageOf((bucket) => {
    const value = counts[bucket];
    checkCount(bucket, value);
    return value === 0 && provenance === 'reported' ? ZERO : usageCount(value, provenance);
  });
}

/**
 * Sums two usages bucket by bucket; each sum keeps the least trustworthy provenance of its parts.
 *
 * @example
 * addUsage(makeUsage({ inputTokens: 5 }), makeUsage({ inputTokens: 7 }, 'estimated')).inputTokens;
 * // { value: 12, provenance: 'estimated' }
 */
export function addUsage(left: Usage, right: Usage): Usage {
  return usageOf((bucket) => {
    const leftCount = left[bucket];
    const rightCount = right[bucket];
    // A reported zero changes neither the value nor the provenance: keep the other (frozen) count.
    if (rightCount.value === 0 && rightCount.provenance === 'reported') return leftCount;
    if (leftCount.value === 0 && leftCount.provenance === 'reported') return rightCount;
    const value = leftCount.value + rightCount.value;
    checkCount(bucket, value);
    return usageCount(value, weakerProvenance(leftCount.provenance, rightCount.provenance));
  });
}

/**
 * Usage as one object literal with every bucket in place, in bucket order. Hot (several per
 * call): filling `{}` bucket by bucket would give each usage a second, out-of-object store.
 */
function usageOf(countOf: (bucket: UsageBucket) => UsageCount): Usage {
  return Object.freeze({
    inputTokens: countOf('inputTokens'),
    cacheReadTokens: countOf('cacheReadTokens'),
    cacheWriteTokens: countOf('cacheWriteTokens'),
    outputTokens: countOf('outputTokens'),
    reasoningTokens: countOf('reasoningTokens'),
    computeMs: countOf('computeMs'),
    bytesIn: countOf('bytesIn'),
    bytesOut: countOf('bytesOut'),
    tensorElements: countOf('tensorElements'),
    requests: countOf('requests'),
    deployedSeconds: countOf('deployedSeconds'),
    trainedExamples: countOf('trainedExamples'),
  });
}

/**
 * The less trustworthy of two provenances (`estimated` < `recovered` < `reported`).
 *
 * @example
 * weakerProvenance('reported', 'estimated'); // 'estimated'
 */
export function weakerProvenance(left: Provenance, right: Provenance): Provenance {
  return PROVENANCE_RANK[left] >= PROVENANCE_RANK[right] ? left : right;
}

/**
 * The weakest provenance among the buckets that hold a non-zero count (`reported` when all are zero).
 *
 * @example
 * usageProvenance(makeUsage({ inputTokens: 40 }, 'estimated')); // 'estimated'
 */
export function usageProvenance(usage: Usage): Provenance {
  let weakest: Provenance = 'reported';
  for (const bucket of USAGE_BUCKETS) {
    if (usage[bucket].value > 0) weakest = weakerProvenance(weakest, usage[bucket].provenance);
  }
  return weakest;
}

/**
 * Re-tags every bucket (or the given ones) with a provenance, keeping the counts.
 *
 * @example
 * withProvenance(partialStreamUsage, 'recovered', ['outputTokens']);
 */
export function withProvenance(
  usage: Usage,
  provenance: Provenance,
  buckets: readonly UsageBucket[] = USAGE_BUCKETS,
): Usage {
  const next: Record<string, UsageCount> = { ...usage };
  for (const bucket of buckets) next[bucket] = Object.freeze({ value: usage[bucket].value, provenance });
  return Object.freeze(next) as Usage;
}

/**
 * All input tokens: uncached + cache read + cache write (what OpenAI calls `prompt_tokens`).
 *
 * @example
 * totalInputTokens(makeUsage({ inputTokens: 176, cacheReadTokens: 1024 })); // 1200
 */
export function totalInputTokens(usage: Usage): number {
  return usage.inputTokens.value + usage.cacheReadTokens.value + usage.cacheWriteTokens.value;
}

/**
 * All output tokens: text + reasoning (what OpenAI calls `completion_tokens`).
 *
 * @example
 * totalOutputTokens(makeUsage({ outputTokens: 100, reasoningTokens: 200 })); // 300
 */
export function totalOutputTokens(usage: Usage): number {
  return usage.outputTokens.value + usage.reasoningTokens.value;
}

/**
 * The plain counts, e.g. for logs and JSON.
 *
 * @example
 * usageValues(usage).outputTokens; // 42
 */
export function usageValues(usage: Usage): Record<UsageBucket, number> {
  return Object.fromEntries(USAGE_BUCKETS.map((bucket) => [bucket, usage[bucket].value])) as Record<
    UsageBucket,
    number
  >;
}

/**
 * True when every bucket is zero.
 *
 * @example
 * isEmptyUsage(emptyUsage()); // true
 */
export function isEmptyUsage(usage: Usage): boolean {
  return USAGE_BUCKETS.every((bucket) => usage[bucket].value === 0);
}

function checkCount(bucket: UsageBucket, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AiaasError(`Usage bucket "${bucket}" must be a non-negative integer, got ${String(value)}.`);
  }
}

function checkProvenance(bucket: UsageBucket, provenance: Provenance): void {
  if (!(provenance in PROVENANCE_RANK)) {
    throw new AiaasError(
      `Usage bucket "${bucket}" has unknown provenance ${JSON.stringify(provenance)}; use reported, recovered or estimated.`,
    );
  }
}
