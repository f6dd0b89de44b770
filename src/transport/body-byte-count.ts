/**
 * The body bytes of one streamed response: `sent` is the request body as serialised (what the
 * server reads and meters as `bytes_in`), `received` grows as the response body is read — raw
 * bytes as they come off the socket, before any SSE or NDJSON framing is taken apart — so a
 * stream that ends early counts exactly what arrived. aiaas/server meters a stream's
 * `bytes_out` the same way: the bytes of the event frames it delivered, each event once.
 *
 * @example
 * const stream = await transport.requestStream(init);
 * for await (const _chunk of stream.body) {}
 * console.log(stream.bodyByteCount?.sent, stream.bodyByteCount?.received);
 */
export class BodyByteCount {
  readonly sent: number;
  #received = 0;

  constructor(sent: number) {
    this.sent = sent;
  }

  /** Response body bytes read so far. */
  get received(): number {
    return this.#received;
  }

  /** Called by the transport for each chunk it hands on. */
  addReceived(bytes: number): void {
    this.#received += bytes;
  }
}
