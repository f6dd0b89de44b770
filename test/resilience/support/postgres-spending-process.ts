// Run in a child process by postgres-budget-processes.test.ts: one of several processes that
// call the reference server at once, through the client, against one PostgreSQL budget and ledger.
import { createInterface } from 'node:readline';
import { BudgetExceededError } from '../../../src/errors/index.js';
import { openPostgresSpender, type PostgresSpenderAssignment } from './postgres-spender.js';
import { spendingCall } from './postgres-spending-call.js';

const assignment = JSON.parse(process.argv[2] as string) as PostgresSpenderAssignment;
const { client, close } = await openPostgresSpender(assignment);
// The server's prices are read before the barrier, so that every call starts at once after it.
await client.quote(spendingCall(0));

process.stdout.write('ready\n');
await new Promise((resolve) => createInterface({ input: process.stdin }).once('line', resolve));

const outcomes = await Promise.allSettled(
  Array.from({ length: assignment.calls }, (_, index) => client.chat.completions.create(spendingCall(index))),
);
const refused = (outcome: PromiseSettledResult<unknown>) =>
  outcome.status === 'rejected' && outcome.reason instanceof BudgetExceededError;
const failed = outcomes.flatMap((outcome) =>
  outcome.status === 'rejected' && !refused(outcome) ? [String(outcome.reason)] : [],
);
await close();
const result = {
  succeeded: outcomes.filter((outcome) => outcome.status === 'fulfilled').length,
  refused: outcomes.filter(refused).length,
  failed: failed.slice(0, 5),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
