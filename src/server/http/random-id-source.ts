import { randomFillSync } from 'node:crypto';

/**
 * Ids of `prefix` and `bytes` random bytes in hex, drawn from a pool filled `idsPerFill` ids at
 * a time: one call to the system's random source per request was a visible share of a small
 * request's cost, and the ids keep all their random bits.
 *
 * @example
 * const newRequestId = randomIdSource('req_', 12, 341);
 * newRequestId(); // 'req_' and 24 hex digits
 */
export function randomIdSource(prefix: string, bytes: number, idsPerFill: number): () => string {
  const pool = Buffer.alloc(bytes * idsPerFill);
  let offset = pool.length;
  return () => {
    if (offset === pool.length) {
      randomFillSync(pool);
      offset = 0;
    }
    const start = offset;
    offset += bytes;
    return `${prefix}${pool.toString('hex', start, offset)}`;
  };
}
