import { z } from 'zod';

/** `POST /v2/repository/index` body (Triton's model repository extension); `{}` or no body lists everything. */
export const repositoryIndexRequestSchema = z.looseObject({
  repository_name: z.string().optional(),
  /** Only the models ready for inference. */
  ready: z.boolean().optional(),
});

/** One model version the repository index lists, with its state (`READY`, `LOADING`, `UNAVAILABLE`) and why. */
export const repositoryIndexEntrySchema = z.looseObject({
  name: z.string(),
  version: z.string().optional(),
  state: z.string().optional(),
  reason: z.string().optional(),
});

/** `POST /v2/repository/index` answer: one entry per model version. */
export const repositoryIndexSchema = z.array(repositoryIndexEntrySchema);

/**
 * `POST /v2/repository/models/{name}/load` body: `config` is a JSON string of a Triton model
 * configuration; `file:<version>/model.onnx` the base64 of that version's ONNX file.
 */
export const repositoryLoadRequestSchema = z.looseObject({
  parameters: z.record(z.string(), z.unknown()).optional(),
});

/** `POST /v2/repository/models/{name}/unload` body. */
export const repositoryUnloadRequestSchema = z.looseObject({
  parameters: z.record(z.string(), z.unknown()).optional(),
});

export type RepositoryIndexRequest = z.output<typeof repositoryIndexRequestSchema>;
export type RepositoryIndexEntry = z.output<typeof repositoryIndexEntrySchema>;
export type RepositoryLoadRequest = z.output<typeof repositoryLoadRequestSchema>;
