import { badRequest, HttpError } from '../http/http-error.js';
import type { RequestContext } from '../http/request-context.js';
import { jsonResponse } from '../http/route-response.js';
import type { Route } from '../http/route-table.js';
import { fileObject } from './file-object.js';
import type { FileStore, StoredFile } from './file-store.js';
import { filePurposes, isFilePurpose } from './jsonl-check.js';
import { uploadFileRoute } from './upload-route.js';

/** OpenAI's largest (and default) page of `GET /v1/files`. */
const maxPageSize = 10_000;

function pageSize(value: string | null): number {
  if (value === null) return maxPageSize;
  const size = Number(value);
  if (!/^\d+$/.test(value) || size < 1 || size > maxPageSize)
    throw badRequest(`limit must be an integer from 1 to ${maxPageSize}, got '${value}'.`, 'limit');
  return size;
}

/** One page of the tenant's files: `order` by upload time, after the cursor `after`, of `purpose`. */
async function listPage(context: RequestContext, store: FileStore) {
  const { query } = context;
  const order = query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc')
    throw badRequest(`order must be 'asc' or 'desc', got '${order}'.`, 'order');
  const purpose = query.get('purpose');
  if (purpose !== null && !isFilePurpose(purpose))
    throw badRequest(`The purpose '${purpose}' is not one of ${filePurposes.join(', ')}.`, 'purpose');
  const limit = pageSize(query.get('limit'));
  let files: StoredFile[] = await store.list(context.tenant.id);
  if (purpose !== null) files = files.filter((file) => file.purpose === purpose);
  if (order === 'desc') files.reverse();
  const after = query.get('after');
  if (after !== null) {
    const at = files.findIndex((file) => file.id === after);
    // A cursor that is gone (deleted, expired) starts nowhere: OpenAI answers an empty page too.
    files = at < 0 ? [] : files.slice(at + 1);
  }
  const data = files.slice(0, limit).map(fileObject);
  return {
    object: 'list' as const,
    data,
    has_more: files.length > limit,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
  };
}

/** Why a tenant's file may not be deleted now (an unfinished job trains on it), or undefined. */
export type FileDeletionGuard = (tenant: string, id: string) => string | undefined;

/**
 * The files API, as OpenAI's: upload, list (cursor pagination), retrieve, content and delete.
 * Each tenant sees only its own files; another's id is a 404 like a missing one. A file
 * `inUse` names a reason for cannot be deleted: a 409 saying why.
 *
 * @example
 * const routes = fileRoutes(await FileStore.open(resolveFileStoreOptions(options)));
 */
export function fileRoutes(store: FileStore, inUse: FileDeletionGuard = () => undefined): Route[] {
  return [
    uploadFileRoute(store),
    {
      method: 'GET',
      path: '/v1/files',
      handle: async (context) => jsonResponse(await listPage(context, store)),
    },
    {
      method: 'GET',
      path: '/v1/files/:id',
      handle: async (context) =>
        jsonResponse(fileObject(await store.get(context.tenant.id, context.params.id!))),
    },
    {
      method: 'GET',
      path: '/v1/files/:id/content',
      async handle(context) {
        const body = await store.content(context.tenant.id, context.params.id!);
        return { kind: 'raw', status: 200, body, headers: { 'content-type': 'application/octet-stream' } };
      },
    },
    {
      method: 'DELETE',
      path: '/v1/files/:id',
      async handle(context) {
        const id = context.params.id!;
        await store.get(context.tenant.id, id);
        const reason = inUse(context.tenant.id, id);
        if (reason !== undefined)
          throw new HttpError(409, `The file ${id} cannot be deleted: ${reason}.`, {
            param: 'id',
            code: 'file_in_use',
          });
        await store.delete(context.tenant.id, id);
        return jsonResponse({ id, object: 'file', deleted: true });
      },
    },
  ];
}
