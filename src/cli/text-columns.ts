/**
 * Rows as aligned columns, two spaces apart (the last column is not padded).
 *
 * @example
 * columns([['id', 'status'], ['ftjob-1', 'running']]); // ['id       status', 'ftjob-1  running']
 */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths = rows.reduce<number[]>(
    (sizes, row) => row.map((cell, index) => Math.max(sizes[index] ?? 0, cell.length)),
    [],
  );
  return rows.map((row) =>
    row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index]!))).join('  '),
  );
}
