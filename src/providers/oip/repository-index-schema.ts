import { z } from 'zod';

/** `POST /v2/repository/index` (Triton's model repository extension): one entry per model version. */
export const repositoryIndexSchema = z.array(
  z.looseObject({
    name: z.string(),
    version: z.string().optional(),
    state: z.string().optional(),
    reason: z.string().optional(),
  }),
);
