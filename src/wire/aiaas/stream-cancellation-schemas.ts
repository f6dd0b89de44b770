import { z } from 'zod';
import { parseWire } from '../validate-wire.js';
import { serverUsageRecordSchema } from './server-usage-schemas.js';

/**
 * The reference server's answer to `POST /v1/streams/cancel`: the stream is stopped and billed,
 * and `record` is its billing record exactly as `GET /v1/usage` lists it.
 *
 * @example
 * {
 *   "object": "stream.cancellation", "idempotency_key": "idem_1", "state": "cancelled", "last_event_id": 7,
 *   "record": { "id": "bill_3", "request_id": "req_3", "tenant": "key_1", "model": "ref-chat",
 *     "idempotency_key": "idem_1", "attempt": 1, "status": "aborted", "time": "2025-01-01T00:00:00.000Z",
 *     "usage": { "input_tokens": 12, "output_tokens": 9, "compute_ms": 20, "bytes_in": 310,
 *                "bytes_out": 1202, "tensor_elements": 0, "requests": 1 },
 *     "cost": { "amount": "0.000019", "currency": "USD" } }
 * }
 */
export const streamCancellationSchema = z.looseObject({
  object: z.literal('stream.cancellation'),
  idempotency_key: z.string().min(1),
  state: z.enum(['cancelled', 'completed', 'failed']),
  // Event ids are numbers on the reference server; a string id is tolerated, it is only echoed back.
  last_event_id: z.union([z.number().int().nonnegative(), z.string()]).nullable(),
  record: serverUsageRecordSchema,
});

export type StreamCancellationBody = z.infer<typeof streamCancellationSchema>;

/**
 * Validates a `POST /v1/streams/cancel` body; a mismatch is a ValidationError naming the field.
 *
 * @example
 * const { state, record } = parseStreamCancellation(data, response.requestId);
 */
export function parseStreamCancellation(json: unknown, requestId?: string): StreamCancellationBody {
  return parseWire(streamCancellationSchema, json, {
    subject: 'response',
    what: 'stream cancellation',
    requestId,
  });
}
