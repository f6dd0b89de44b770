import { AiaasError } from '../../src/errors/index.js';
import type { CallKind, PlannedCall } from './call-plan.js';
import type { ClientFaultKind } from './client-faults.js';

/** How one logical call of a chaos run ended. */
export interface CallOutcome {
  readonly index: number;
  readonly kind: CallKind;
  readonly idempotencyKey: string;
  /** The client fault the plan gave the call, if any. */
  readonly clientFault: ClientFaultKind | undefined;
  readonly succeeded: boolean;
  /** The error's class and code, e.g. `RateLimitError (injected_fault)`; undefined on success. */
  readonly errorClass?: string | undefined;
  /** False when the call ended in something other than an `AiaasError`: always a defect. */
  readonly typed: boolean;
  /** The error message of an untyped failure, so the report can say what escaped. */
  readonly untypedMessage?: string | undefined;
  /** HTTP attempts the retry layer made (the first one included). */
  readonly attempts: number;
  /** Reconnections of a stream with `Last-Event-ID`. */
  readonly resumes: number;
  /** A stream its reader left early on purpose (a `break`); its text is what was read. */
  readonly abandoned?: boolean | undefined;
  /** A stream's text: the whole of a finished one, the partial of a broken or left one. */
  readonly text?: string | undefined;
  /** In flight in a client process when it was SIGKILLed: how it ended is for recovery to say. */
  readonly killed?: boolean | undefined;
}

/** What every outcome of a call says, however it ended. */
export type OutcomeBase = Pick<CallOutcome, 'index' | 'kind' | 'idempotencyKey' | 'clientFault'>;

export function outcomeBase(call: PlannedCall): OutcomeBase {
  return {
    index: call.index,
    kind: call.kind,
    idempotencyKey: call.idempotencyKey,
    clientFault: call.clientFault,
  };
}

/** The name the report groups a failure under: class plus code, as a user would search for it. */
export function errorClassOf(error: unknown): string {
  if (!AiaasError.isInstance(error)) {
    const name = error instanceof Error ? error.constructor.name : typeof error;
    return `untyped ${name}`;
  }
  return error.code === undefined ? error.name : `${error.name} (${error.code})`;
}

/**
 * Attempts the retry layer recorded on the error that ended a call. None recorded means the
 * call failed before the retry layer sent anything (a budget refusal, an invalid request): 0.
 */
export function attemptsOf(error: unknown): number {
  return AiaasError.isInstance(error) && typeof error.attempts === 'number' ? error.attempts : 0;
}

/** The failure side of an outcome. */
export function failedOutcome(
  base: OutcomeBase,
  error: unknown,
  progress: { attempts?: number; resumes?: number; text?: string | undefined } = {},
): CallOutcome {
  const typed = AiaasError.isInstance(error);
  return {
    ...base,
    succeeded: false,
    errorClass: errorClassOf(error),
    typed,
    untypedMessage: typed ? undefined : error instanceof Error ? error.message : String(error),
    attempts: progress.attempts ?? attemptsOf(error),
    resumes: progress.resumes ?? 0,
    text: progress.text,
  };
}
