/**
 * Holds requests until `count` of them are in at once, then lets them all go (and every later
 * one at once): a server whose answers are sure to overlap, without guessing how long that takes.
 *
 * @example
 * const gate = arrivalGate(12);
 * server.route('POST', '/v1/chat/completions', async (request, response) => {
 *   await gate();
 *   sendJson(response, 200, answer);
 * });
 */
export function arrivalGate(count: number): () => Promise<void> {
  let arrived = 0;
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    arrived += 1;
    if (arrived >= count) open();
    return opened;
  };
}
