// Run before any optional peer is installed: each feature that needs one must say which, clearly.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  AiaasError,
  PostgresBudgetStore,
  PostgresLedgerStore,
  SqliteBudgetStore,
  SqliteLedgerStore,
} from 'aiaas';
import { startReferenceServer } from 'aiaas/server';

for (const open of [() => SqliteLedgerStore.open('spend.db'), () => SqliteBudgetStore.open('budget.db')]) {
  await assert.rejects(open, (error) => {
    assert.ok(AiaasError.isInstance(error), `not an AiaasError: ${error}`);
    assert.match(error.message, /optional peer dependency better-sqlite3/);
    return true;
  });
}
// No server is needed: the missing client is found before any connection is tried.
const postgresUrl = 'postgres://aiaas@127.0.0.1:1/aiaas';
for (const open of [
  () => PostgresLedgerStore.open(postgresUrl),
  () => PostgresBudgetStore.open(postgresUrl),
]) {
  await assert.rejects(open, (error) => {
    assert.ok(AiaasError.isInstance(error), `not an AiaasError: ${error}`);
    assert.match(error.message, /optional peer dependency pg: run `npm install pg`/);
    return true;
  });
}
// The CLI's PostgreSQL commands, as installed, say the same and exit 1.
const run = promisify(execFile);
for (const args of [
  ['db', 'migrate', postgresUrl],
  ['cost', 'report', postgresUrl],
]) {
  await assert.rejects(run('./node_modules/.bin/aiaas', args), (error) => {
    assert.equal(error.code, 1, `aiaas ${args.join(' ')} exited with ${error.code}`);
    assert.match(error.stderr, /optional peer dependency pg: run `npm install pg`/);
    return true;
  });
}
await assert.rejects(
  () => startReferenceServer({ port: 0 }),
  (error) => {
    assert.match(String(error.message), /onnxruntime-node/);
    return true;
  },
);
console.log(
  'without optional peers: the SQLite and PostgreSQL stores, the CLI and the server say which package they need',
);
