/** Where a command writes; the real process streams in `main.ts`, buffers in tests. */
export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
  /** Writes text to stdout as is, no newline added (a streamed answer). Without it, commands print whole lines. */
  writeStdout?(text: string): void;
  /** Writes text to stderr as is (a progress line redrawn in place). */
  writeStderr?(text: string): void;
  /** True when stdout is a terminal: answers stream by default and progress is shown. */
  readonly interactive?: boolean;
}

/** Exit code for a command line that cannot be understood (unknown flag, bad value). */
export const usageExitCode = 2;

/** Thrown for a command line mistake; the runner prints it with the usage and exits with code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export const processIo: CliIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  writeStdout: (text) => process.stdout.write(text),
  writeStderr: (text) => process.stderr.write(text),
  get interactive() {
    return process.stdout.isTTY === true;
  },
};
