// Run in a child process by postgres-budget-crash-recovery.test.ts, which SIGKILLs it: a process
// that calls the reference server through the client against a PostgreSQL budget and ledger, and
// dies with its calls in flight.
import { fault, faultHeaders } from '../../../src/testing/fault-header-builder.js';
import { openPostgresSpender, type PostgresSpenderAssignment } from './postgres-spender.js';
import { spendingCall } from './postgres-spending-call.js';

const assignment = JSON.parse(process.argv[2] as string) as PostgresSpenderAssignment;
const { client, budget } = await openPostgresSpender(assignment);

// Each call is reserved, then sent; the server holds its answer far longer than the test runs,
// so the calls are in flight when the process dies. Once its client is gone, the server finishes
// and bills each call (its idempotency key keeps the work going), as a real provider would.
const keys = Array.from({ length: assignment.calls }, (_, index) => `killed-${process.pid}-${index}`);
for (const [index, key] of keys.entries()) {
  client.chat.completions
    .create(spendingCall(index), { idempotencyKey: key, headers: faultHeaders(fault.delay(60_000)) })
    .catch(() => {});
}
process.stdout.write(`${JSON.stringify({ owner: budget.owner, keys })}\n`);
// Kept alive, renewing its leases, until killed.
setInterval(() => {}, 60_000);
