import { createReadStream } from 'node:fs';
import { badRequest, HttpError } from '../http/http-error.js';
import type { RequestContext } from '../http/request-context.js';
import { jsonResponse } from '../http/route-response.js';
import type { Route } from '../http/route-table.js';
import { fileObject, filesBillingModel } from './file-object.js';
import { type FileStore, fileTooLarge, type StoredFile } from './file-store.js';
import type { FileUpload } from './file-upload.js';
import { checkJsonLines } from './jsonl-check.js';
import { multipartBoundary, parseMultipart } from './multipart-parser.js';
import { textFieldSink, uploadExpiry, uploadPurpose } from './upload-fields.js';

/** Room for the form's boundaries, part headers and small fields around the file itself. */
const formOverheadBytes = 64 * 1024;

/** Streams the form in: the file into `upload`, the small fields into a map. Returns the filename. */
async function receiveForm(context: RequestContext, upload: FileUpload, fields: Map<string, string>) {
  const boundary = multipartBoundary(context.header('content-type'));
  let filename: string | undefined;
  await parseMultipart(context.bodyChunks(), boundary, (part) => {
    if (part.name !== 'file') return textFieldSink(part.name, fields);
    if (filename !== undefined) throw badRequest("The form has more than one 'file' field.", 'file');
    filename = part.filename ?? 'file';
    return { write: (chunk) => upload.write(chunk), end: () => {} };
  });
  if (filename === undefined)
    throw badRequest("The field 'file' is required.", 'file', 'missing_required_parameter');
  return filename;
}

async function storeUpload(context: RequestContext, store: FileStore): Promise<StoredFile> {
  const tenant = context.tenant.id;
  const { id, upload, release } = await store.beginUpload(tenant);
  try {
    const fields = new Map<string, string>();
    const filename = await receiveForm(context, upload, fields);
    const purpose = uploadPurpose(fields);
    const createdAt = Math.floor(Date.now() / 1000);
    const expiresAt = uploadExpiry(fields, createdAt, store.minExpirySeconds);
    const content = await upload.finish();
    if (upload.bytes === 0) throw badRequest(`The file '${filename}' is empty.`, 'file', 'empty_file');
    if (purpose === 'fine-tune')
      await checkJsonLines(upload.path === undefined ? [content] : createReadStream(upload.path), filename);
    const file: StoredFile = {
      id,
      bytes: upload.bytes,
      created_at: createdAt,
      expires_at: expiresAt,
      filename,
      purpose,
    };
    await store.commit(tenant, file, upload, content);
    return file;
  } catch (error) {
    release();
    await upload.discard();
    // The unread rest of a refused upload is dropped, and the connection closes after the answer.
    if (error instanceof HttpError && error.status === 413) context.abandonBody();
    throw error;
  }
}

/**
 * `POST /v1/files`: a multipart upload (`file`, `purpose`, optional `expires_after[anchor]` and
 * `expires_after[seconds]`) streamed to the store within the size limits, a fine-tune file
 * checked line by line. Billed by the bytes received, under {@link filesBillingModel}.
 *
 * @example
 * const routes = [uploadFileRoute(store)];
 */
export function uploadFileRoute(store: FileStore): Route {
  return {
    method: 'POST',
    path: '/v1/files',
    streamsBody: true,
    async handle(context) {
      const declared = Number(context.header('content-length'));
      if (Number.isFinite(declared) && declared > store.maxFileBytes + formOverheadBytes) {
        context.abandonBody();
        throw fileTooLarge(store.maxFileBytes);
      }
      const file = await storeUpload(context, store);
      context.model = filesBillingModel;
      return jsonResponse(fileObject(file));
    },
  };
}
