import type { BenchRun, Figure, Ratio, Target } from './result-types.js';

/** Three significant digits, thousands grouped: enough to compare, not so many that noise looks like signal. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const decimals = Math.max(0, 2 - magnitude);
  return value.toLocaleString('en-US', { maximumFractionDigits: decimals, minimumFractionDigits: decimals });
}

function formatTarget(target: Target | undefined): [string, string] {
  if (!target) return ['', ''];
  return [`${target.comparison} ${formatNumber(target.value)}`, target.pass ? 'pass' : 'FAIL'];
}

type Row = [string, string, string, string, string, string, string];

function figureRow(benchmark: string, figure: Figure): Row {
  const [target, result] = formatTarget(figure.target);
  const spread = `${formatNumber(figure.spread.p25)} – ${formatNumber(figure.spread.p75)}`;
  return [benchmark, figure.label, formatNumber(figure.median), spread, figure.unit, target, result];
}

function ratioRow(benchmark: string, ratio: Ratio): Row {
  const [target, result] = formatTarget(ratio.target);
  const spread = `${formatNumber(ratio.spread.p25)} – ${formatNumber(ratio.spread.p75)}`;
  return [benchmark, `ratio: ${ratio.label}`, `${formatNumber(ratio.value)}x`, spread, '', target, result];
}

/** The whole run as one plain-text table: every figure, then every ratio, per benchmark. */
export function formatResultsTable(run: BenchRun): string {
  const header: Row = ['benchmark', 'measure', 'median', 'p25 – p75', 'unit', 'target', 'result'];
  const rows: Row[] = [];
  for (const benchmark of run.benchmarks) {
    for (const figure of benchmark.figures) rows.push(figureRow(benchmark.name, figure));
    for (const ratio of benchmark.ratios) rows.push(ratioRow(benchmark.name, ratio));
  }
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  // Numbers are right-aligned so their magnitudes line up.
  const numeric = new Set([2, 3]);
  const line = (row: Row) =>
    row
      .map((cell, column) =>
        numeric.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  const { machine } = run;
  const title =
    `aiaas bench (${run.size}, ${run.sdk} SDK) on ${machine.cpuModel}, ${machine.cores} cores, ` +
    `${formatNumber(machine.memoryBytes / 2 ** 30)} GiB, Node ${machine.node}; ` +
    `load average at start ${machine.loadAverageAtStart.join(' ')}`;
  const summary = `targets: ${run.targets.passed} passed, ${run.targets.failed} failed; took ${formatNumber(run.durationMs / 1000)} s`;
  return [title, '', line(header), rule, ...rows.map(line), '', summary].join('\n');
}
