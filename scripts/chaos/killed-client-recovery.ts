import type { Budget } from '../../src/cost/budget.js';
import type { Ledger } from '../../src/cost/ledger.js';
import { recoverUsage } from '../../src/cost/recover-usage.js';
import { ServerBillingSource } from '../../src/cost/server-billing-source.js';
import type { KilledClientsRun } from './killed-clients.js';
import { pollUntil } from './poll-until.js';

/** How the killed clients' spend came back. */
export interface KilledClientsRecovery {
  /** Lapsed reservations recorded as `estimated` entries at their full amount before recovery. */
  readonly estimates: number;
  /** Billing records the ledger lacked, now `recovered` entries. */
  readonly recovered: number;
  /** Entries that reversed estimates whose real cost recovery found. */
  readonly corrections: number;
  /** Reservations recovery settled at what the server billed. */
  readonly settled: number;
  /** Billing records recovery left alone (in flight, too recent, another currency). */
  readonly skipped: number;
  /** Keys of reservations still open (reserved or expired) once recovery is done: each one is a defect. */
  readonly openReservations: readonly string[];
  /** What went wrong on the way: calls in flight the server never billed, leases that never lapsed. */
  readonly errors: readonly string[];
}

/** The server finishes and bills work its client left a moment later; a record appears once it has. */
const billedWithinMs = 30_000;

/**
 * What a restarted application does after its processes were killed: waits until the server has
 * billed every call that was in flight and the dead processes' leases have lapsed, records the
 * lapsed reservations as estimated spend (`budget.sweep()`), then `recoverUsage()` from the
 * server's billing, which adds the records the ledger lacks, settles the reservations and reverses
 * the estimates. `budget` shares the killed processes' store and records into their ledger.
 *
 * @example
 * const recovery = await recoverKilledClients(run, { baseUrl: server.url, apiKey, ledger, budget });
 * recovery.openReservations; // [] when every reservation was settled
 */
export async function recoverKilledClients(
  run: KilledClientsRun,
  settings: { baseUrl: string; apiKey: string; ledger: Ledger; budget: Budget },
): Promise<KilledClientsRecovery> {
  const { ledger, budget } = settings;
  const provider = new ServerBillingSource({ baseURL: settings.baseUrl, apiKey: settings.apiKey });
  const errors: string[] = [];
  const records = await pollUntil(
    () => provider.records(),
    (found) => run.inFlightKeys.every((key) => found.some((record) => record.idempotencyKey === key)),
    billedWithinMs,
  );
  const unbilled = run.inFlightKeys.filter((key) => !records.some((record) => record.idempotencyKey === key));
  if (unbilled.length > 0) {
    errors.push(`${unbilled.length} calls in flight at a kill were never billed, e.g. ${unbilled[0]}`);
  }
  const charges = () => budget.store.charges({ idempotencyKeys: run.keys });
  const lapsed = await pollUntil(
    charges,
    (found) =>
      found.every((charge) => charge.state !== 'reserved' || charge.expiresAt.getTime() <= Date.now()),
    budget.leaseMs + billedWithinMs,
  );
  if (lapsed.some((charge) => charge.state === 'reserved' && charge.expiresAt.getTime() > Date.now())) {
    errors.push('the killed processes’ leases were still being renewed after they died');
  }
  const estimates = await budget.sweep();
  const result = await recoverUsage({ ledger, budget, provider });
  const open = (await charges()).filter(
    (charge) => charge.state === 'reserved' || charge.state === 'expired',
  );
  return {
    estimates: estimates.length,
    recovered: result.recovered.length,
    corrections: result.corrections.length,
    settled: result.settled.length,
    skipped: result.skipped.length,
    openReservations: open.map((charge) => charge.idempotencyKey ?? charge.id),
    errors,
  };
}
