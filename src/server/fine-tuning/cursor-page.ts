import { badRequest } from '../http/http-error.js';

/** OpenAI's largest page of the fine-tuning lists. */
const maxLimit = 100;

function pageLimit(value: string | null, fallback: number): number {
  if (value === null) return fallback;
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > maxLimit)
    throw badRequest(`limit must be an integer from 1 to ${maxLimit}, got '${value}'.`, 'limit');
  return limit;
}

/**
 * One page of a cursor-paginated list (`after`, `limit`, `has_more`): `items` newest first,
 * the page starting after the item whose id is `after` (an unknown cursor gives an empty page,
 * as OpenAI's lists do), holding only the items `keep` passes (the cursor is found among all of them).
 *
 * @example
 * cursorPage(jobs.map(jobObject), context.query, 20); // { object: 'list', data, has_more }
 */
export function cursorPage<Item extends { id: string }>(
  items: readonly Item[],
  query: URLSearchParams,
  defaultLimit: number,
  keep: (item: Item) => boolean = () => true,
) {
  const limit = pageLimit(query.get('limit'), defaultLimit);
  const after = query.get('after');
  let rest = items;
  if (after !== null) {
    const at = items.findIndex((item) => item.id === after);
    rest = at < 0 ? [] : items.slice(at + 1);
  }
  rest = rest.filter(keep);
  const data = rest.slice(0, limit);
  return {
    object: 'list' as const,
    data,
    has_more: rest.length > limit,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  };
}
