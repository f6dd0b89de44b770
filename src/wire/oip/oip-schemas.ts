import { z } from 'zod';
import { tensorDataSchema, tensorDatatypeSchema, tensorShapeSchema } from './tensor-datatypes.js';

const parametersSchema = z.record(z.string(), z.unknown());

/** `GET /v2` */
export const serverMetadataSchema = z.looseObject({
  name: z.string(),
  version: z.string(),
  extensions: z.array(z.string()),
});
export type ServerMetadata = z.infer<typeof serverMetadataSchema>;

export const tensorMetadataSchema = z.looseObject({
  name: z.string(),
  datatype: tensorDatatypeSchema,
  shape: tensorShapeSchema,
});
export type TensorMetadata = z.infer<typeof tensorMetadataSchema>;

/** `GET /v2/models/{name}[/versions/{version}]` */
export const modelMetadataSchema = z.looseObject({
  name: z.string(),
  versions: z.array(z.string()).optional(),
  platform: z.string(),
  inputs: z.array(tensorMetadataSchema),
  outputs: z.array(tensorMetadataSchema),
});
export type ModelMetadata = z.infer<typeof modelMetadataSchema>;

export const inferInputSchema = z.looseObject({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  datatype: tensorDatatypeSchema,
  parameters: parametersSchema.optional(),
  data: tensorDataSchema,
});
export type InferInput = z.infer<typeof inferInputSchema>;

/** `POST /v2/models/{name}[/versions/{version}]/infer` body. */
export const inferRequestSchema = z.looseObject({
  id: z.string().optional(),
  parameters: parametersSchema.optional(),
  inputs: z.array(inferInputSchema).min(1),
  outputs: z
    .array(z.looseObject({ name: z.string().min(1), parameters: parametersSchema.optional() }))
    .optional(),
});
export type InferRequest = z.infer<typeof inferRequestSchema>;

export const inferOutputSchema = z.looseObject({
  name: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  datatype: tensorDatatypeSchema,
  parameters: parametersSchema.optional(),
  data: tensorDataSchema,
});
export type InferOutput = z.infer<typeof inferOutputSchema>;

export const inferResponseSchema = z.looseObject({
  model_name: z.string(),
  model_version: z.string().optional(),
  id: z.string().optional(),
  parameters: parametersSchema.optional(),
  outputs: z.array(inferOutputSchema),
});
export type InferResponse = z.infer<typeof inferResponseSchema>;

/** OIP errors are a bare message: `{"error": "..."}`. */
export const oipErrorBodySchema = z.looseObject({ error: z.string() });

/** `GET /v2/health/live`, `/v2/health/ready` and model readiness answer with status codes; KServe also sends these bodies. */
export const readinessSchema = z.looseObject({ ready: z.boolean().optional(), live: z.boolean().optional() });
