import type { Money } from '../cost/money.js';
import type { ReconcileGroup, ReconcileResult } from '../cost/reconcile.js';

const statusWords: Record<ReconcileGroup['status'], string> = {
  matched: 'matched',
  different: 'billed differently',
  'missing-in-provider': 'in the ledger, not billed by the server',
  'missing-in-ledger': 'billed by the server, not in the ledger',
};

function moneyList(amounts: Readonly<Record<string, Money>>): string {
  const listed = Object.values(amounts).map((amount) => amount.toString());
  return listed.length === 0 ? 'nothing' : listed.join(' + ');
}

function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value);
}

function groupLines(group: ReconcileGroup, compareCost: boolean): string[] {
  const ids = group.requestIds.length === 0 ? '' : ` (request ${group.requestIds.join(', ')})`;
  const lines = [`- call ${group.key}${ids}: ${statusWords[group.status]}`];
  for (const [field, difference] of Object.entries(group.usage.differences)) {
    const name = field as keyof typeof group.usage.ledger;
    lines.push(
      `    ${field}: ledger ${group.usage.ledger[name]}, server ${group.usage.provider[name]} (${signed(difference)})`,
    );
  }
  if (compareCost && Object.keys(group.cost.differences).length > 0) {
    lines.push(`    cost: ledger ${moneyList(group.cost.ledger)}, server ${moneyList(group.cost.provider)}`);
    if (group.unpricedLedgerEntries > 0) {
      lines.push(
        `    (${group.unpricedLedgerEntries} ledger entries have no price: is the client's \`pricing\` set?)`,
      );
    }
  }
  return lines;
}

/** Whether a call group differs, looking at cost only when asked. */
export function groupDiffers(group: ReconcileGroup, compareCost: boolean): boolean {
  return (
    Object.keys(group.usage.differences).length > 0 ||
    (compareCost && Object.keys(group.cost.differences).length > 0)
  );
}

/**
 * A reconciliation with differences, in words: one block per differing call (which side has
 * it, each differing field with both counts) and the totals. Meant to be read in a failed test.
 *
 * @example
 * throw new Error(describeBillingDifferences(reconcile(entries, usage), { compareCost: true }));
 */
export function describeBillingDifferences(
  result: ReconcileResult,
  options: { compareCost: boolean },
): string {
  const differing = result.groups.filter((group) => groupDiffers(group, options.compareCost));
  const lines = [
    `The ledger and the server's bill differ in ${differing.length} of ${result.groups.length} calls:`,
    ...differing.flatMap((group) => groupLines(group, options.compareCost)),
  ];
  if (options.compareCost) {
    lines.push(
      `Totals: ledger ${moneyList(result.totals.ledger)}, server ${moneyList(result.totals.provider)}` +
        (Object.keys(result.totals.difference).length === 0
          ? ''
          : `, difference ${moneyList(result.totals.difference)}`),
    );
  }
  return lines.join('\n');
}
