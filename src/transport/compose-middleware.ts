import type { Middleware, TransportHandler } from './transport-types.js';

/** The first middleware in the list is the outermost: it sees the request first and the response last. */
export function composeMiddleware(
  middleware: readonly Middleware[],
  handler: TransportHandler,
): TransportHandler {
  return middleware.reduceRight<TransportHandler>((next, wrap) => wrap(next), handler);
}
