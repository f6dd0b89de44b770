import { z } from 'zod';

/** Every tensor datatype of the Open Inference Protocol v2. */
export const tensorDatatypes = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
  'BF16',
] as const;
export const tensorDatatypeSchema = z.enum(tensorDatatypes);
export type TensorDatatype = z.infer<typeof tensorDatatypeSchema>;

/** Dimensions: -1 marks a dynamic one in metadata; requests carry concrete sizes. */
export const tensorShapeSchema = z.array(z.number().int().min(-1));

type TensorScalar = number | string | boolean;
/** JSON tensor data: row-major, flat or nested; strings for BYTES, booleans for BOOL. */
export type TensorData = TensorScalar | TensorData[];
export const tensorDataSchema: z.ZodType<TensorData> = z.lazy(() =>
  z.union([z.number(), z.string(), z.boolean(), z.array(tensorDataSchema)]),
);
