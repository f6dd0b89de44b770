import type { StoredFile } from './file-store.js';

/** The name uploads are billed under: the rate card prices it per MB in, like any model. */
export const filesBillingModel = 'aiaas-files';

/** OpenAI's file object for a stored file. */
export function fileObject(file: StoredFile) {
  return {
    id: file.id,
    object: 'file' as const,
    bytes: file.bytes,
    created_at: file.created_at,
    expires_at: file.expires_at,
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed' as const,
    status_details: null,
  };
}
