import { z } from 'zod';

/** `{"error":{"message","type","param","code"}}`; vLLM and others send an integer `code`. */
export const openAIErrorBodySchema = z.looseObject({
  error: z.looseObject({
    message: z.string(),
    type: z.string().nullish(),
    param: z.string().nullish(),
    code: z.union([z.string(), z.number()]).nullish(),
  }),
});
export type OpenAIErrorBody = z.infer<typeof openAIErrorBodySchema>;
