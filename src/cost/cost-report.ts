import { AiaasError } from '../errors/index.js';
import { totalsByCurrency } from './ledger.js';
import type { LedgerEntry } from './ledger-entry.js';
import type { Money } from './money.js';
import {
  addUsage,
  emptyUsage,
  totalInputTokens,
  totalOutputTokens,
  USAGE_BUCKETS,
  type Usage,
} from './usage.js';

/** What spend can be grouped by; `day` is the UTC date of the entry's time. */
export type ReportDimension = 'model' | 'provider' | 'day' | 'key' | 'status' | `tag:${string}`;

/** One group's spend in one currency (`currency` and `total` are null for the group's unpriced entries). */
export interface CostReportRow {
  /** The group's value per dimension; null where an entry has no value (no API key, no such tag). */
  group: Record<string, string | null>;
  currency: string | null;
  total: Money | null;
  entries: number;
  usage: Usage;
}

export interface CostReport {
  by: ReportDimension[];
  rows: CostReportRow[];
  /** Exact spend per currency over all entries. */
  totals: Record<string, Money>;
  entries: number;
  unpricedEntries: number;
}

/**
 * Parses `model,day,tag:team` (as the CLI's `--by` takes it) into dimensions.
 *
 * @example
 * parseReportDimensions('model, day'); // ['model', 'day']
 */
export function parseReportDimensions(text: string): ReportDimension[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      if (['model', 'provider', 'day', 'key', 'status'].includes(part) || /^tag:.+$/.test(part)) {
        return part as ReportDimension;
      }
      throw new AiaasError(
        `Unknown report dimension "${part}": use model, provider, day, key, status or tag:<name>.`,
        { code: 'invalid_report_dimension' },
      );
    });
}

/**
 * Groups ledger entries by the given dimensions and sums spend per currency, exactly.
 *
 * @example
 * const report = buildCostReport(await ledger.entries(), { by: ['model', 'day'] });
 * console.log(formatCostReportTable(report));
 */
export function buildCostReport(
  entries: Iterable<LedgerEntry>,
  options: { by: readonly ReportDimension[] },
): CostReport {
  const by = [...options.by];
  const rows = new Map<string, CostReportRow>();
  const all: LedgerEntry[] = [];
  for (const entry of entries) {
    all.push(entry);
    const group = Object.fromEntries(by.map((dimension) => [dimension, dimensionValue(entry, dimension)]));
    const currency = entry.cost?.currency ?? null;
    const key = JSON.stringify([...Object.values(group), currency]);
    const row = rows.get(key) ?? { group, currency, total: null, entries: 0, usage: emptyUsage() };
    row.entries += 1;
    row.usage = addUsage(row.usage, entry.usage);
    if (entry.cost !== null) row.total = row.total === null ? entry.cost : row.total.plus(entry.cost);
    rows.set(key, row);
  }
  const sorted = [...rows.values()].sort((left, right) => compareRows(left, right, by));
  return {
    by,
    rows: sorted,
    totals: totalsByCurrency(all),
    entries: all.length,
    unpricedEntries: all.filter((entry) => entry.cost === null).length,
  };
}

/**
 * A plain-text table with aligned columns (numbers right-aligned) and a total line per
 * currency. Amounts are exact unless `digits` asks for rounding (half-even) for display.
 *
 * @example
 * console.log(formatCostReportTable(buildCostReport(entries, { by: ['model'] }), { digits: 4 }));
 */
export function formatCostReportTable(report: CostReport, options: { digits?: number } = {}): string {
  const amount = (money: Money | null) =>
    money === null
      ? 'unpriced'
      : options.digits === undefined
        ? money.toDecimalString()
        : money.format(options);
  const header = [...report.by, 'entries', 'input tokens', 'output tokens', 'currency', 'total'];
  const body = report.rows.map((row) => [
    ...report.by.map((dimension) => row.group[dimension] ?? '-'),
    String(row.entries),
    String(totalInputTokens(row.usage)),
    String(totalOutputTokens(row.usage)),
    row.currency ?? '-',
    amount(row.total),
  ]);
  // One total line per currency; with no dimensions the rows already are the totals.
  const footer =
    report.by.length === 0
      ? []
      : Object.entries(report.totals).map(([currency, total]) => {
          const rows = report.rows.filter((row) => row.currency === currency);
          const sum = (count: (usage: Usage) => number) =>
            rows.reduce((all, row) => all + count(row.usage), 0);
          return [
            ...report.by.map((_, index) => (index === 0 ? 'TOTAL' : '')),
            String(rows.reduce((all, row) => all + row.entries, 0)),
            String(sum(totalInputTokens)),
            String(sum(totalOutputTokens)),
            currency,
            amount(total),
          ];
        });
  const numeric = new Set([
    report.by.length,
    report.by.length + 1,
    report.by.length + 2,
    report.by.length + 4,
  ]);
  const widths = header.map((_, column) =>
    Math.max(...[header, ...body, ...footer].map((line) => (line[column] ?? '').length)),
  );
  const render = (line: string[]) =>
    line
      .map((cell, column) =>
        numeric.has(column) ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [
    render(header),
    rule,
    ...body.map(render),
    ...(footer.length > 0 ? [rule, ...footer.map(render)] : []),
  ].join('\n');
}

/**
 * CSV (RFC 4180: CRLF line ends, fields with commas, quotes or line breaks quoted, quotes
 * doubled). One row per group and currency; every usage bucket; amounts exact.
 *
 * @example
 * await writeFile('spend.csv', formatCostReportCsv(buildCostReport(entries, { by: ['day', 'tag:team'] })));
 */
export function formatCostReportCsv(report: CostReport): string {
  const header = [...report.by, 'currency', 'entries', ...USAGE_BUCKETS, 'total'];
  const lines = report.rows.map((row) => [
    ...report.by.map((dimension) => row.group[dimension] ?? ''),
    row.currency ?? '',
    String(row.entries),
    ...USAGE_BUCKETS.map((bucket) => String(row.usage[bucket].value)),
    row.total?.toDecimalString() ?? '',
  ]);
  return `${[header, ...lines].map((line) => line.map(csvField).join(',')).join('\r\n')}\r\n`;
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function dimensionValue(entry: LedgerEntry, dimension: ReportDimension): string | null {
  if (dimension === 'model') return entry.model;
  if (dimension === 'provider') return entry.provider;
  if (dimension === 'status') return entry.status;
  if (dimension === 'day') return entry.time.toISOString().slice(0, 10);
  if (dimension === 'key') return entry.apiKeyId ?? null;
  return entry.tags[dimension.slice('tag:'.length)] ?? null;
}

function compareRows(left: CostReportRow, right: CostReportRow, by: readonly ReportDimension[]): number {
  for (const dimension of by) {
    const order = compareText(left.group[dimension] ?? null, right.group[dimension] ?? null);
    if (order !== 0) return order;
  }
  return compareText(left.currency, right.currency);
}

// Null (no value) sorts last; text by code point so the order is the same on every machine.
function compareText(left: string | null, right: string | null): number {
  if (left === right) return 0;
  if (left === null) return 1;
  if (right === null) return -1;
  return left < right ? -1 : 1;
}
