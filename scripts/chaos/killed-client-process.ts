// Run in a child process by killed-clients.ts, which SIGKILLs it: one client process of a chaos
// run, spending against a SQLite budget and a JSON Lines ledger shared with its siblings, that
// finishes some calls and dies with the rest in flight.
import { Budget } from '../../src/cost/budget.js';
import { JsonlLedgerStore } from '../../src/cost/jsonl-ledger-store.js';
import { Ledger } from '../../src/cost/ledger.js';
import { Money } from '../../src/cost/money.js';
import { SqliteBudgetStore } from '../../src/cost/sqlite-budget-store.js';
import { executePlannedCall } from './call-executor.js';
import { type PlannedCall, planCalls } from './call-plan.js';
import { createChaosClients } from './chaos-clients.js';
import { inFlightOptions } from './client-faults.js';
import { runPool } from './concurrency-pool.js';
import type { KilledClientAssignment, KilledClientMessage } from './killed-client-protocol.js';

const assignment = JSON.parse(process.argv[2] as string) as KilledClientAssignment;
const say = (message: KilledClientMessage) => process.stdout.write(`${JSON.stringify(message)}\n`);

// The calls' content depends on the seed alone, so this process plans the same ones as its parent.
const planned = planCalls(assignment.seed, assignment.callCount);
const callsAt = (indices: readonly number[]): PlannedCall[] =>
  indices.map((index) => ({ ...(planned[index] as PlannedCall), clientFault: 'client_kill' }));

const ledger = new Ledger({ store: new JsonlLedgerStore(assignment.ledgerPath, { fsync: false }) });
const budget = new Budget({
  limits: [{ limit: Money.of(assignment.limit, 'USD'), mode: 'hard' }],
  store: await SqliteBudgetStore.open(assignment.budgetPath),
  leaseMs: assignment.leaseMs,
  ledger,
});
const clients = createChaosClients({
  baseUrl: assignment.url,
  apiKey: assignment.apiKey,
  ledger,
  budget,
  maxRetries: assignment.maxRetries,
  idleTimeoutMs: assignment.idleTimeoutMs,
});

// Calls that end before the crash, with the server's chaos on them like any other.
const finished = await runPool(callsAt(assignment.finished), 4, (call) => executePlannedCall(clients, call));
await clients.settled();
say({ finished });

// Calls in flight: reserved, sent, held by the server; this process dies before any answer.
const inFlight = callsAt(assignment.inFlight);
for (const call of inFlight) void executePlannedCall(clients, call, inFlightOptions(call));
say({ inFlight: inFlight.map((call) => call.idempotencyKey) });
// Kept alive (renewing its leases) until killed.
setInterval(() => {}, 60_000);
