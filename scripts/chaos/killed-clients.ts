import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type CallOutcome, outcomeBase } from './call-outcome.js';
import type { PlannedCall } from './call-plan.js';
import { runPool } from './concurrency-pool.js';
import type { KilledClientAssignment, KilledClientMessage } from './killed-client-protocol.js';
import type { RequestArrivals } from './request-arrivals.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const clientProcess = fileURLToPath(new URL('./killed-client-process.ts', import.meta.url));

/** Calls per killed client process: the first half finish, the rest are in flight when it dies. */
export const callsPerKilledClient = 8;
/** Killed client processes alive at once: each loads the SDK through tsx, which is CPU-bound. */
const processesAtOnce = 2;
/** The longest a process may take to start and get its calls to the server before it counts as failed. */
const readyWithinMs = 60_000;

/** What the killed clients of a run did, before recovery. */
export interface KilledClientsRun {
  /** Processes SIGKILLed with calls in flight, as planned. */
  readonly processes: number;
  /** Their calls: those they finished, and those in flight at the kill (`killed: true`). */
  readonly outcomes: readonly CallOutcome[];
  readonly inFlightKeys: readonly string[];
  /** Keys of every call the processes reserved for (finished and in flight). */
  readonly keys: readonly string[];
  /** A process that ended on its own, or was killed before its calls reached the server. */
  readonly errors: readonly string[];
}

/** Where the killed clients spend, and how. */
export type KilledClientSettings = Omit<KilledClientAssignment, 'finished' | 'inFlight'>;

/** The processes' shares of the calls: consecutive groups of {@link callsPerKilledClient}. */
function assignments(
  calls: readonly PlannedCall[],
  settings: KilledClientSettings,
): KilledClientAssignment[] {
  const groups: KilledClientAssignment[] = [];
  for (let start = 0; start < calls.length; start += callsPerKilledClient) {
    const indices = calls.slice(start, start + callsPerKilledClient).map((call) => call.index);
    const finishing = Math.floor(indices.length / 2);
    groups.push({ ...settings, finished: indices.slice(0, finishing), inFlight: indices.slice(finishing) });
  }
  return groups;
}

function killedOutcome(call: PlannedCall): CallOutcome {
  return {
    ...outcomeBase(call),
    succeeded: false,
    errorClass: 'killed in flight (SIGKILL)',
    typed: true,
    // Sent once: the server holds it with a header fault, which keeps its chaos off the call.
    attempts: 1,
    resumes: 0,
    killed: true,
  };
}

/** A call its process never reported on: it died before its time (the run's errors say how). */
function lostOutcome(call: PlannedCall): CallOutcome {
  return {
    ...outcomeBase(call),
    succeeded: false,
    errorClass: 'its client process failed before the kill',
    typed: true,
    attempts: 0,
    resumes: 0,
  };
}

/** Reads the process's lines: its finished outcomes, then (resolving) its keys in flight. */
function readMessages(child: ChildProcess, finished: CallOutcome[]): Promise<void> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  return new Promise((resolve) => {
    lines.on('line', (line) => {
      let message: KilledClientMessage;
      try {
        message = JSON.parse(line) as KilledClientMessage;
      } catch {
        return; // Not one of ours (a runtime's notice); what went wrong shows on stderr.
      }
      if ('finished' in message) finished.push(...message.finished);
      else resolve();
    });
  });
}

/**
 * Starts one client process, waits until it has said its calls are in flight and the server has
 * read every one of their bodies, then SIGKILLs it. Never throws: what went wrong is an error line.
 */
async function runOneKilledClient(
  assignment: KilledClientAssignment,
  calls: readonly PlannedCall[],
  arrivals: RequestArrivals,
): Promise<{ outcomes: CallOutcome[]; errors: string[] }> {
  const inFlight = assignment.inFlight.map((index) => calls[index] as PlannedCall);
  const child = spawn(process.execPath, ['--import', 'tsx', clientProcess, JSON.stringify(assignment)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const finished: CallOutcome[] = [];
  const late = new AbortController();
  const timer = setTimeout(
    () => late.abort(new Error(`not ready within ${readyWithinMs} ms`)),
    readyWithinMs,
  );
  const ready = Promise.all([
    readMessages(child, finished),
    arrivals.reached(
      inFlight.map((call) => call.idempotencyKey),
      late.signal,
    ),
  ]);
  const how = await Promise.race([
    ready.then(
      () => 'ready',
      (error: unknown) => String(error),
    ),
    exited.then(([code]) => `exited by itself (${code})`),
  ]);
  clearTimeout(timer);
  late.abort();
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  const [, signal] = await exited;
  if (how === 'ready' && signal === 'SIGKILL') {
    return { outcomes: [...finished, ...inFlight.map(killedOutcome)], errors: [] };
  }
  const pid = child.pid ?? 'unknown';
  const error = `killed client ${pid}: ${how}, ended by ${signal ?? 'exit'}; stderr: ${stderr.join('').trim()}`;
  const reported = new Set(finished.map((outcome) => outcome.index));
  const lost = [...assignment.finished, ...assignment.inFlight]
    .filter((index) => !reported.has(index))
    .map((index) => lostOutcome(calls[index] as PlannedCall));
  return { outcomes: [...finished, ...lost], errors: [error] };
}

/**
 * Runs the `client_kill` calls in real child processes (node with tsx, as the chaos run itself),
 * a few at a time, each spending against one shared SQLite budget and one JSON Lines ledger, and
 * SIGKILLs each once its calls in flight are the server's (their bodies read: `arrivals`, which
 * must have been started). Recovery is left to the caller: the processes' leases have yet to lapse.
 *
 * @example
 * const run = await runKilledClients(calls.filter((call) => call.clientFault === 'client_kill'), calls, settings, arrivals);
 */
export async function runKilledClients(
  killedCalls: readonly PlannedCall[],
  calls: readonly PlannedCall[],
  settings: KilledClientSettings,
  arrivals: RequestArrivals,
): Promise<KilledClientsRun> {
  const groups = assignments(killedCalls, settings);
  const results = await runPool(groups, processesAtOnce, (assignment) =>
    runOneKilledClient(assignment, calls, arrivals),
  );
  const outcomes = results.flatMap((result) => result.outcomes);
  return {
    processes: results.filter((result) => result.errors.length === 0).length,
    outcomes,
    inFlightKeys: outcomes
      .filter((outcome) => outcome.killed === true)
      .map((outcome) => outcome.idempotencyKey),
    keys: killedCalls.map((call) => call.idempotencyKey),
    errors: results.flatMap((result) => result.errors),
  };
}
