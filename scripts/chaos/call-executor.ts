import type { RequestOptions } from '../../src/client/request-options.js';
import type { MeteredChatStream } from '../../src/client/stream-session/metered-chat-stream.js';
import { AiaasError } from '../../src/errors/index.js';
import { type CallOutcome, failedOutcome, type OutcomeBase, outcomeBase } from './call-outcome.js';
import type { PlannedCall } from './call-plan.js';
import type { ChaosClients } from './chaos-clients.js';
import { clientTimeoutOptions } from './client-faults.js';

/** The call's own options: its key, what its client fault (if any) sets, then `extra`. */
function callOptions(call: PlannedCall, extra: RequestOptions): RequestOptions {
  const fault = call.clientFault === 'client_timeout' ? clientTimeoutOptions() : {};
  return { idempotencyKey: call.idempotencyKey, ...fault, ...extra };
}

/** The first choice's text a broken stream carried, when it says. */
function partialText(error: unknown): string | undefined {
  if (!AiaasError.isInstance(error)) return undefined;
  const partial = (error as AiaasError & { partial?: unknown }).partial;
  return Array.isArray(partial) && typeof partial[0] === 'string' ? partial[0] : undefined;
}

/** Reads `texts` text pieces of the first choice, then breaks out as a user would. */
async function leaveEarly(stream: MeteredChatStream, base: OutcomeBase, texts: number): Promise<CallOutcome> {
  let text = '';
  let read = 0;
  try {
    for await (const event of stream) {
      if (event.type !== 'text-delta' || event.choiceIndex !== 0) continue;
      text += event.text;
      read += 1;
      if (read >= texts) break;
    }
  } catch (error) {
    return failedOutcome(base, error, { attempts: stream.attempts, resumes: stream.resumed, text });
  }
  // final() settles once the stream's ledger entry is written (it rejects: the stream was left).
  await stream.final().catch(() => undefined);
  return {
    ...base,
    succeeded: true,
    typed: true,
    abandoned: true,
    attempts: stream.attempts,
    resumes: stream.resumed,
    text,
  };
}

async function runStream(
  clients: ChaosClients,
  call: PlannedCall & { kind: 'chat-stream' },
  options: RequestOptions,
) {
  const base = outcomeBase(call);
  let stream: MeteredChatStream;
  try {
    stream = await clients.openai.chat.completions.stream(call.request, options);
  } catch (error) {
    return failedOutcome(base, error);
  }
  if (call.leaveAfterTexts !== undefined) return leaveEarly(stream, base, call.leaveAfterTexts);
  try {
    const final = await stream.final();
    return {
      ...base,
      succeeded: true,
      typed: true,
      attempts: stream.attempts,
      resumes: final.resumed,
      text: final.choices[0]?.message.content ?? '',
    } satisfies CallOutcome;
  } catch (error) {
    return failedOutcome(base, error, {
      attempts: stream.attempts,
      resumes: stream.resumed,
      text: partialText(error),
    });
  }
}

async function runRequest(
  clients: ChaosClients,
  call: PlannedCall,
  options: RequestOptions,
): Promise<{ attempts: number }> {
  switch (call.kind) {
    case 'chat':
      return clients.openai.chat.completions.create(call.request, options).withResponse();
    case 'embedding':
      return clients.openai.embeddings.create(call.request, options).withResponse();
    case 'infer':
      return clients.oip.inference.infer(call.model, call.inputs, options).withResponse();
    case 'chat-stream':
      throw new Error('streams are run by runStream');
  }
}

/**
 * Makes one planned call through the SDK and says how it ended. Never throws: whatever the
 * call throws (typed or not) becomes the outcome, because an escaped error is exactly what a
 * chaos run is looking for. A `client_timeout` call gets its short timeout here; `extra` options
 * (a killed client's hold on its calls in flight) go over the call's own.
 *
 * @example
 * const outcome = await executePlannedCall(clients, calls[0]);
 */
export async function executePlannedCall(
  clients: ChaosClients,
  call: PlannedCall,
  extra: RequestOptions = {},
): Promise<CallOutcome> {
  const options = callOptions(call, extra);
  if (call.kind === 'chat-stream') return runStream(clients, call, options);
  const base = outcomeBase(call);
  try {
    const { attempts } = await runRequest(clients, call, options);
    return { ...base, succeeded: true, typed: true, attempts, resumes: 0 };
  } catch (error) {
    return failedOutcome(base, error);
  }
}
