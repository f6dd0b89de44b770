/** Where a recorded stream is cancelled: `POST` here with the stream's `Idempotency-Key`. */
export const streamCancelPath = '/v1/streams/cancel';

/**
 * Sent on every recorded (keyed) event stream, the opening response and each resume, so a
 * client that stops reading knows where to stop the generation and collect its bill.
 *
 * @example
 * return { kind: 'buffered-stream', buffer, afterEventId: 0, headers: { ...headers, ...streamCancelHeaders } };
 */
export const streamCancelHeaders = { 'x-aiaas-stream-cancel': streamCancelPath } as const;
