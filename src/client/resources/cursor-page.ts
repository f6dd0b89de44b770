import type { CursorList } from '../../providers/provider-types.js';
import type { CursorPageParams } from '../../wire/openai/fine-tuning-schemas.js';
import { APIPromise } from '../api-promise.js';

/** Fetches the page after the item id `after`. */
export type FetchCursorPage<Item extends { id: string }> = (
  params: CursorPageParams,
) => CursorPagePromise<Item>;

/**
 * One page of a cursor-paginated list (fine-tuning jobs, events, checkpoints): its items, and
 * the next page on demand. `for await` over a page yields every item from it to the end of the
 * list, fetching pages as it goes.
 *
 * @example
 * for await (const job of await client.fineTuning.jobs.list({ limit: 100 })) console.log(job.id);
 */
export class CursorPage<Item extends { id: string }> implements AsyncIterable<Item> {
  readonly data: Item[];
  readonly has_more: boolean;
  readonly #params: CursorPageParams;
  readonly #fetch: FetchCursorPage<Item>;

  constructor(list: CursorList<Item>, params: CursorPageParams, fetch: FetchCursorPage<Item>) {
    this.data = list.data;
    this.has_more = list.has_more;
    this.#params = params;
    this.#fetch = fetch;
  }

  hasNextPage(): boolean {
    return this.has_more && this.data.length > 0;
  }

  /** The next page; throws when there is none (check {@link hasNextPage}). */
  getNextPage(): CursorPagePromise<Item> {
    const last = this.data.at(-1);
    if (!this.hasNextPage() || last === undefined)
      throw new RangeError('This is the last page of the list; there is no next page.');
    return this.#fetch({ ...this.#params, after: last.id });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    let page: CursorPage<Item> = this;
    for (;;) {
      yield* page.data;
      if (!page.hasNextPage()) return;
      page = await page.getNextPage();
    }
  }
}

/**
 * What a cursor-paginated list method returns: await it for the first page, or `for await`
 * over it for every item, page after page (as openai-node's page promises do).
 *
 * @example
 * for await (const event of client.fineTuning.jobs.listEvents('ftjob-abc')) console.log(event.message);
 */
export class CursorPagePromise<Item extends { id: string }>
  extends APIPromise<CursorPage<Item>>
  implements AsyncIterable<Item>
{
  async *[Symbol.asyncIterator](): AsyncIterator<Item> {
    yield* await this;
  }
}
