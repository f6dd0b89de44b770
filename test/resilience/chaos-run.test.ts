import { describe, expect, it } from 'vitest';
import { defaultChaosRunOptions, parseChaosArguments } from '../../scripts/chaos/chaos-options.js';
import { chaosFailures, tallyOutcomes } from '../../scripts/chaos/chaos-report.js';
import { runChaos } from '../../scripts/chaos/chaos-runner.js';
import { formatChaosTable } from '../../scripts/chaos/chaos-table.js';

// The CI size of `npm run chaos`: the same checks as the full run, on fewer calls.
describe('the chaos run', () => {
  it('loses nothing and bills nothing twice under seeded faults, client timeouts and killed clients (250 calls, 30% fault rate)', async () => {
    const report = await runChaos({
      ...defaultChaosRunOptions,
      calls: 250,
      concurrency: 16,
      rate: 0.3,
      seed: 7,
      // Low enough that the hard budget runs out part way, so refusals are part of the run. The
      // quoted maxima include the declared response-byte and compute ceilings (chaosCostBounds),
      // which real responses stay well under, hence a share far below 1.
      budgetShare: 0.3,
    });
    const table = formatChaosTable(report);
    expect(chaosFailures(report), table).toEqual([]);
    // The run really was under fire: retries, resumes, early exits, refusals and billing all happened.
    const tally = tallyOutcomes(report.outcomes);
    expect(tally.attempts, table).toBeGreaterThan(tally.succeeded);
    expect(tally.resumedStreams, table).toBeGreaterThan(0);
    // Streams left early are reconciled too (chaosFailures counts their differences).
    expect(tally.abandonedStreams, table).toBeGreaterThan(0);
    expect(report.texts.checked, table).toBeGreaterThan(0);
    expect(
      tally.failedByClass.map(([name]) => name),
      table,
    ).toContain('BudgetExceededError');
    expect(report.billing.serverRecords, table).toBeGreaterThan(100);
    expect(report.billing.ledgerTotal?.isPositive(), table).toBe(true);

    // Calls whose client gave up before the server answered were still billed by the server, and
    // the SDK charged each from that bill (with pricing: 'server'), not at its reserved maximum.
    expect(tally.timedOut, table).toBeGreaterThan(0);
    expect(report.timeoutCharges, table).toEqual({ fromRecord: tally.timedOut, atMaximum: 0 });
    // Processes SIGKILLed with calls in flight: the server billed what their ledger never heard of,
    // recovery brought it back and settled every reservation they left behind.
    const killed = report.killedClients;
    expect(killed?.processes, table).toBeGreaterThan(0);
    expect(tally.killedInFlight, table).toBeGreaterThan(0);
    expect(tally.killedClientCalls, table).toBeGreaterThan(tally.killedInFlight);
    expect(killed?.recovery.recovered, table).toBeGreaterThan(0);
    expect(killed?.recovery.settled, table).toBeGreaterThan(0);
    expect(killed?.recovery.corrections, table).toBeGreaterThan(0);
    expect(killed?.recovery.openReservations, table).toEqual([]);
  }, 60_000);

  it('reads its command line strictly, so a typo never runs another experiment', () => {
    expect(
      parseChaosArguments(['--calls', '10000', '--concurrency', '32', '--rate', '0.3', '--seed', '7']),
    ).toMatchObject({
      calls: 10_000,
      concurrency: 32,
      rate: 0.3,
      seed: 7,
    });
    expect(parseChaosArguments(['--kinds', 'status,reset']).kinds).toEqual(['status', 'reset']);
    expect(parseChaosArguments(['--kinds', 'client_timeout,client_kill']).kinds).toEqual([
      'client_timeout',
      'client_kill',
    ]);
    expect(defaultChaosRunOptions.kinds).toEqual(expect.arrayContaining(['client_timeout', 'client_kill']));
    expect(() => parseChaosArguments(['--calls', '0'])).toThrow(/--calls/);
    expect(() => parseChaosArguments(['--rate', '1.5'])).toThrow(/--rate/);
    expect(() => parseChaosArguments(['--kinds', 'status,explode'])).toThrow(/--kinds/);
    expect(() => parseChaosArguments(['--call', '5'])).toThrow();
  });
});
