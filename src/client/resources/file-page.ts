import type { FileList, FileListParams, FileObject } from '../../wire/openai/file-schemas.js';
import { APIPromise } from '../api-promise.js';

/** Fetches the page after the file id `after`, with the first page's filters. */
export type FetchFilePage = (params: FileListParams) => FilePagePromise;

/**
 * One page of `client.files.list()`: its files, and the next page on demand. `for await` over
 * a page yields every file from it to the end of the list, fetching pages as it goes.
 *
 * @example
 * for await (const file of await client.files.list({ limit: 100 })) console.log(file.id);
 */
export class FilePage implements AsyncIterable<FileObject> {
  readonly data: FileObject[];
  readonly has_more: boolean;
  readonly first_id: string | null;
  readonly last_id: string | null;
  readonly #params: FileListParams;
  readonly #fetch: FetchFilePage;

  constructor(list: FileList, params: FileListParams, fetch: FetchFilePage) {
    this.data = list.data;
    this.has_more = list.has_more;
    this.first_id = list.first_id ?? null;
    this.last_id = list.last_id ?? list.data.at(-1)?.id ?? null;
    this.#params = params;
    this.#fetch = fetch;
  }

  hasNextPage(): boolean {
    return this.has_more && this.last_id !== null;
  }

  /** The next page; throws when there is none (check {@link hasNextPage}). */
  getNextPage(): FilePagePromise {
    if (!this.hasNextPage()) throw new RangeError('This is the last page of files; there is no next page.');
    return this.#fetch({ ...this.#params, after: this.last_id! });
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FileObject> {
    let page: FilePage = this;
    for (;;) {
      yield* page.data;
      if (!page.hasNextPage()) return;
      page = await page.getNextPage();
    }
  }
}

/**
 * What `client.files.list()` returns: await it for the first page, or `for await` over it for
 * every file of the list, page after page (as openai-node's page promises do).
 *
 * @example
 * for await (const file of client.files.list({ purpose: 'fine-tune' })) console.log(file.filename);
 */
export class FilePagePromise extends APIPromise<FilePage> implements AsyncIterable<FileObject> {
  async *[Symbol.asyncIterator](): AsyncIterator<FileObject> {
    yield* await this;
  }
}
