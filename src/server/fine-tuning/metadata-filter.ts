import { badRequest } from '../http/http-error.js';

/** A `metadata` list filter: the pairs every listed job must carry, or `null` for jobs without metadata. */
export type MetadataFilter = readonly (readonly [key: string, value: string])[] | null | undefined;

const pairKey = /^metadata\[(.+)\]$/;

/**
 * OpenAI's `metadata` filter of `GET /v1/fine_tuning/jobs`: `metadata[k]=v` (repeatable, every
 * pair must match) or `metadata=null` (jobs with no metadata; the openai client sends `metadata=`
 * for `metadata: null`). Undefined when the query has no filter.
 *
 * @example
 * metadataFilter(new URLSearchParams('metadata[team]=ml')); // [['team', 'ml']]
 */
export function metadataFilter(query: URLSearchParams): MetadataFilter {
  const pairs: [string, string][] = [];
  let none = false;
  for (const [name, value] of query) {
    if (name === 'metadata') {
      if (value !== '' && value !== 'null')
        throw badRequest(
          `metadata filters by pairs: use metadata[key]=value, or metadata=null for jobs without metadata; got metadata=${value}.`,
          'metadata',
        );
      none = true;
      continue;
    }
    const key = pairKey.exec(name)?.[1];
    if (key !== undefined) pairs.push([key, value]);
  }
  if (none && pairs.length > 0)
    throw badRequest('Give metadata=null or metadata[key]=value pairs, not both.', 'metadata');
  if (none) return null;
  return pairs.length === 0 ? undefined : pairs;
}

/** Whether a job's metadata passes the filter (no filter passes every job). */
export function matchesMetadata(metadata: Record<string, string> | null, filter: MetadataFilter): boolean {
  if (filter === undefined) return true;
  const given = metadata ?? {};
  if (filter === null) return Object.keys(given).length === 0;
  // Every pair must match, so one key asked with two values matches nothing.
  return filter.every(([key, value]) => Object.hasOwn(given, key) && given[key] === value);
}
