/** Where a command writes; the real process streams in `main.ts`, buffers in tests. */
export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
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
};
