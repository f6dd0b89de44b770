import type { AttemptContext } from '../../../src/retry/index.js';

/** An attempt function that throws `errors` in turn, then returns 'ok', recording each context. */
export function scripted(errors: readonly unknown[]) {
  const contexts: AttemptContext[] = [];
  const attempt = async (context: AttemptContext) => {
    contexts.push(context);
    const error = errors[context.attempt - 1];
    if (error !== undefined) throw error;
    return 'ok';
  };
  return { attempt, contexts };
}
