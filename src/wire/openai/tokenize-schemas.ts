import { z } from 'zod';
import { chatMessageSchema } from './chat-schemas.js';

/** vLLM-style `POST /tokenize`: a prompt, or chat messages rendered through the chat template. */
export const tokenizeRequestSchema = z.union([
  z.looseObject({ model: z.string().min(1).optional(), prompt: z.string() }),
  z.looseObject({
    model: z.string().min(1).optional(),
    messages: z.array(chatMessageSchema).min(1),
    add_generation_prompt: z.boolean().optional(),
  }),
]);
export type TokenizeRequest = z.infer<typeof tokenizeRequestSchema>;

export const tokenizeResponseSchema = z.looseObject({
  count: z.number().int().nonnegative(),
  max_model_len: z.number().int().positive(),
  tokens: z.array(z.number().int()),
});
export type TokenizeResponse = z.infer<typeof tokenizeResponseSchema>;
