import type { AiaasClient } from '../../src/client/aiaas-client.js';
import type { CallOutcome } from './call-outcome.js';
import type { PlannedCall } from './call-plan.js';
import { runPool } from './concurrency-pool.js';

/** Resumed streams compared with the same request made where nothing is faulted. */
export interface ResumedTextCheck {
  readonly checked: number;
  readonly mismatches: readonly string[];
}

function shorten(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/**
 * For every stream that reconnected at least once, asks a chaos-free server (same models,
 * same seed, so the same request gives the same text) for the unfaulted text. A finished
 * stream must equal it; one that broke for good or was left early must hold a prefix of it: a resume may lose
 * the rest, never repeat, skip or garble a piece.
 *
 * @example
 * const check = await checkResumedTexts(outcomes, calls, referenceClient);
 * check.mismatches; // [] when every resumed stream told the unfaulted story
 */
export async function checkResumedTexts(
  outcomes: readonly CallOutcome[],
  calls: readonly PlannedCall[],
  reference: AiaasClient,
): Promise<ResumedTextCheck> {
  const resumed = outcomes.filter(
    (outcome) => outcome.kind === 'chat-stream' && outcome.resumes > 0 && outcome.text !== undefined,
  );
  const verdicts = await runPool(resumed, 4, async (outcome) => {
    const call = calls[outcome.index];
    if (call?.kind !== 'chat-stream') return `${outcome.idempotencyKey}: no planned stream at this index`;
    let expected: string;
    try {
      const unfaulted = await (await reference.chat.completions.stream(call.request)).final();
      expected = unfaulted.choices[0]?.message.content ?? '';
    } catch (error) {
      return `${outcome.idempotencyKey}: the unfaulted reference call failed: ${String(error)}`;
    }
    const text = outcome.text ?? '';
    const whole = outcome.succeeded && outcome.abandoned !== true;
    const fits = whole ? text === expected : expected.startsWith(text);
    if (fits) return undefined;
    const relation = whole ? 'is' : 'broke off at';
    return `${outcome.idempotencyKey} ${relation} ${shorten(text)}, unfaulted ${shorten(expected)}`;
  });
  return {
    checked: resumed.length,
    mismatches: verdicts.filter((verdict): verdict is string => verdict !== undefined),
  };
}
