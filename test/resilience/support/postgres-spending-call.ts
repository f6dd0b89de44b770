/**
 * The call the PostgreSQL budget tests make: `ref-chat` with a short prompt and two output tokens,
 * a few millionths of a dollar, which the reference server answers in milliseconds.
 *
 * @example
 * await client.chat.completions.create(spendingCall(7));
 */
export function spendingCall(seed: number) {
  return {
    model: 'ref-chat',
    messages: [{ role: 'user' as const, content: 'Hi' }],
    max_tokens: 2,
    seed,
  };
}
