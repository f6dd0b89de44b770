import { setTimeout as sleep } from 'node:timers/promises';
import type { BillingRecordSource } from '../../cost/billing-record-source.js';
import { AbortError, InvalidOptionError } from '../../errors/index.js';
import {
  type FineTuningJob,
  type FineTuningJobEvent,
  terminalFineTuningJobStatuses,
} from '../../wire/openai/fine-tuning-schemas.js';
import type { CursorPagePromise } from './cursor-page.js';

/**
 * Options of `client.fineTuning.jobs.wait()`.
 *
 * @example
 * await client.fineTuning.jobs.wait(job.id, { onEvent: (event) => console.log(event.message), pollInterval: 500 });
 */
export interface FineTuningWaitOptions {
  /** Called once per event, oldest first, as the job emits them (`type: 'metrics'` events carry an epoch's metrics). */
  onEvent?: ((event: FineTuningJobEvent) => void) | undefined;
  /** Called with the job each time it is polled. */
  onJob?: ((job: FineTuningJob) => void) | undefined;
  /** Stops waiting (the job keeps running; cancel it with `jobs.cancel`): `wait` rejects with `AbortError`. */
  signal?: AbortSignal | undefined;
  /** Milliseconds between polls (default 1000). */
  pollInterval?: number | undefined;
  /**
   * Where the provider's per-request billing is read (aiaas/server: `new ServerBillingSource({ baseURL,
   * apiKey })`). Given, the job's training charges are written to the client's ledger once it
   * ends, as `recoverUsage` would write them (neither writes one twice). A cancelled job's last
   * charge can land just after; `recoverUsage` brings it in then.
   */
  billing?: BillingRecordSource | undefined;
}

/** What `wait` needs of the jobs resource: retrieving the job and listing its events. */
export interface WaitCalls {
  retrieve(id: string, signal: AbortSignal | undefined): Promise<FineTuningJob>;
  listEvents(id: string, signal: AbortSignal | undefined): CursorPagePromise<FineTuningJobEvent>;
}

function abortErrorOf(signal: AbortSignal): AbortError {
  return new AbortError('Waiting for the fine-tuning job was aborted by the caller.', {
    cause: signal.reason,
  });
}

function checkWaitOptions(options: FineTuningWaitOptions): number {
  const { pollInterval = 1_000 } = options;
  if (typeof pollInterval !== 'number' || !Number.isFinite(pollInterval) || pollInterval < 0) {
    throw new InvalidOptionError(
      `Invalid wait() option \`pollInterval\`: got ${String(pollInterval)}; expected milliseconds, 0 or more.`,
      {
        option: 'pollInterval',
        allowed: 'a non-negative number of milliseconds',
      },
    );
  }
  if (options.billing !== undefined && typeof options.billing?.records !== 'function') {
    throw new InvalidOptionError('Invalid wait() option `billing`: expected a BillingRecordSource.', {
      option: 'billing',
      allowed: 'an object with records(filter), e.g. new ServerBillingSource({ baseURL, apiKey })',
    });
  }
  for (const hook of ['onEvent', 'onJob'] as const) {
    if (options[hook] !== undefined && typeof options[hook] !== 'function') {
      throw new InvalidOptionError(`Invalid wait() option \`${hook}\`: expected a function.`, {
        option: hook,
        allowed: 'a function',
      });
    }
  }
  return pollInterval;
}

/**
 * The events newer than those already seen, oldest first. Lists are newest first, so pages are
 * read until an event seen before (or the list's end).
 */
async function newEvents(
  calls: WaitCalls,
  id: string,
  seen: Set<string>,
  signal: AbortSignal | undefined,
): Promise<FineTuningJobEvent[]> {
  const fresh: FineTuningJobEvent[] = [];
  for await (const event of calls.listEvents(id, signal)) {
    if (seen.has(event.id)) break;
    fresh.push(event);
  }
  return fresh.reverse();
}

/**
 * Polls a job and its events until the job is `succeeded`, `failed` or `cancelled`, handing
 * each new event to `onEvent` once, oldest first, and resolves with the final job. A failed
 * job resolves too (check `job.status` and `job.error`), as the job object is the answer and the
 * API call itself succeeded; a failed call (network, auth) rejects.
 */
export async function waitForJob(
  calls: WaitCalls,
  id: string,
  options: FineTuningWaitOptions,
): Promise<FineTuningJob> {
  const pollInterval = checkWaitOptions(options);
  const { signal, onEvent, onJob } = options;
  const seen = new Set<string>();
  for (;;) {
    if (signal?.aborted) throw abortErrorOf(signal);
    // The job first: when it is final, the events read after it include its last ones.
    const job = await calls.retrieve(id, signal);
    onJob?.(job);
    for (const event of await newEvents(calls, id, seen, signal)) {
      seen.add(event.id);
      onEvent?.(event);
    }
    if (terminalFineTuningJobStatuses.has(job.status)) return job;
    try {
      await sleep(pollInterval, undefined, signal === undefined ? {} : { signal });
    } catch (error) {
      if (signal?.aborted) throw abortErrorOf(signal);
      throw error;
    }
  }
}
