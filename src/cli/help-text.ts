/** One row of a help text: what to type, and what it does. */
export type HelpRow = readonly [usage: string, description: string];

// Terminals are at least this wide; a longer line would wrap back to column 0 and break the column.
const lineWidth = 80;

/** Splits text at spaces into lines of at most `width` characters (a longer word keeps its own line). */
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

/**
 * The rows of a help section with every description starting in one column: two spaces, the
 * usage padded to the widest one, two more spaces; a long description wraps within 80
 * characters and goes on in the same column. Rows from several places (a command's own flags,
 * shared ones) must go through one call so that they line up with each other.
 *
 * @example
 * helpRows([['--port <port>', 'TCP port'], ['-h, --help', 'show this help']]);
 * // '  --port <port>  TCP port\n  -h, --help     show this help'
 */
export function helpRows(rows: readonly HelpRow[]): string {
  const width = Math.max(0, ...rows.map(([usage]) => usage.length));
  const column = 2 + width + 2;
  const descriptionWidth = Math.max(30, lineWidth - column);
  return rows
    .flatMap(([usage, description]) =>
      wrapWords(description, descriptionWidth).map((part, index) =>
        index === 0 ? `  ${usage.padEnd(width)}  ${part}` : `${' '.repeat(column)}${part}`,
      ),
    )
    .join('\n');
}

/** The row every command has. */
export const helpFlagRow: HelpRow = ['-h, --help', 'show this help'];
