import { vi } from 'vitest';

/** Everything written to the console and the process streams while a capture was on. */
export interface OutputCapture {
  text(): string;
  lines(): readonly string[];
  restore(): void;
}

function render(values: readonly unknown[]): string {
  return values
    .map((value) => {
      if (typeof value === 'string') return value;
      try {
        return JSON.stringify(value);
      } catch {
        return String(value);
      }
    })
    .join(' ');
}

/**
 * Captures every console method and every write to stdout and stderr, passing nothing on, so a
 * test can search all output of the code under test, not just what one logger was handed.
 *
 * @example
 * const output = captureAllOutput();
 * try { await run(); } finally { output.restore(); }
 * expect(output.text()).not.toContain(apiKey);
 */
export function captureAllOutput(): OutputCapture {
  const lines: string[] = [];
  const spies = (['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...values: unknown[]) => {
      lines.push(`console.${method} ${render(values)}`);
    }),
  );
  const write = (stream: 'stdout' | 'stderr') =>
    vi.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(`${stream} ${typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')}`);
      return true;
    });
  const streams = [write('stdout'), write('stderr')];
  return {
    text: () => lines.join('\n'),
    lines: () => lines,
    restore() {
      for (const spy of [...spies, ...streams]) spy.mockRestore();
    },
  };
}
