import { z } from 'zod';

/** What a file is for; OpenAI's values (a server may add others). */
export const filePurposeSchema = z.string().min(1);
export type FilePurpose = 'fine-tune' | 'assistants' | 'batch' | 'vision' | 'user_data' | 'evals';

/** OpenAI's file object (`POST /v1/files`, `GET /v1/files/{id}`). */
export const fileObjectSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal('file'),
  bytes: z.number().int().nonnegative(),
  created_at: z.number().int(),
  expires_at: z.number().int().nullish(),
  filename: z.string(),
  purpose: filePurposeSchema,
  status: z.string().optional(),
});
export type FileObject = z.infer<typeof fileObjectSchema>;

/** One page of `GET /v1/files`: cursor pagination by file id. */
export const fileListSchema = z.looseObject({
  object: z.literal('list'),
  data: z.array(fileObjectSchema),
  has_more: z.boolean(),
  first_id: z.string().nullish(),
  last_id: z.string().nullish(),
});
export type FileList = z.infer<typeof fileListSchema>;

/** `DELETE /v1/files/{id}`. */
export const fileDeletedSchema = z.looseObject({
  id: z.string(),
  object: z.literal('file'),
  deleted: z.boolean(),
});
export type FileDeleted = z.infer<typeof fileDeletedSchema>;

/** The query of `GET /v1/files`. */
export interface FileListParams {
  purpose?: FilePurpose | (string & {}) | undefined;
  /** The id of the last file of the previous page. */
  after?: string | undefined;
  /** 1 to 10,000 files a page. */
  limit?: number | undefined;
  order?: 'asc' | 'desc' | undefined;
}
