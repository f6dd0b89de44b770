/**
 * The chaos run: many SDK calls against a reference server that faults a share of them, some
 * with a client timeout shorter than the server's answer and some in client processes that are
 * SIGKILLed mid-call, then proof that nothing was lost or billed twice. Prints a table; exits 1
 * if any check fails.
 *
 * Run: npm run chaos -- --calls 10000 --concurrency 32 --rate 0.3 --seed 7
 * Flags: --calls, --concurrency, --rate, --seed, --kinds status,reset,...,client_timeout,client_kill,
 * --budget-share, --idle-timeout (ms), --max-retries. See scripts/chaos/chaos-options.ts.
 */
import { parseChaosArguments } from './chaos/chaos-options.js';
import { chaosFailures } from './chaos/chaos-report.js';
import { runChaos } from './chaos/chaos-runner.js';
import { formatChaosTable } from './chaos/chaos-table.js';

async function main(): Promise<number> {
  let options: ReturnType<typeof parseChaosArguments>;
  try {
    options = parseChaosArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`chaos-run: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
  const report = await runChaos(options);
  process.stdout.write(`${formatChaosTable(report)}\n`);
  return chaosFailures(report).length === 0 ? 0 : 1;
}

process.exitCode = await main();
