/** Completion length assumed for a request that names none (the chat routes' default budget). */
const assumedCompletionTokens = 256;

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/**
 * A cheap upper-bound guess of the tokens a request will use, for admission by the
 * tokens-per-minute limit before the body is validated or tokenized: about one token per
 * four bytes of body, plus the completion budget it asks for (`max_completion_tokens`,
 * `max_tokens` or Ollama's `options.num_predict`, times `n`) when it is a generation request.
 * The limiter settles the real count afterwards, so a wrong guess only shifts when the bucket
 * refills.
 *
 * @example
 * estimateRequestTokens(Buffer.from('{"model":"ref-chat","max_tokens":20,"messages":[]}')); // 33
 */
export function estimateRequestTokens(body: Buffer): number {
  const promptGuess = Math.ceil(body.length / 4);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return promptGuess;
  }
  if (typeof parsed !== 'object' || parsed === null) return promptGuess;
  const request = parsed as Record<string, unknown>;
  const generates = 'messages' in request || 'prompt' in request;
  if (!generates) return promptGuess;
  const budget =
    positiveInteger(request.max_completion_tokens) ??
    positiveInteger(request.max_tokens) ??
    positiveInteger((request.options as { num_predict?: unknown } | null | undefined)?.num_predict) ??
    assumedCompletionTokens;
  return promptGuess + budget * (positiveInteger(request.n) ?? 1);
}
