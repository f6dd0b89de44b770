import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const mainFile = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/**
 * Starts the `aiaas` command as users run it, in a process of its own (the sources through tsx).
 *
 * @example
 * const { code, stdout } = await exitOf(runAiaas(['db', 'migrate', url]));
 */
export function runAiaas(args: readonly string[]): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', 'tsx', mainFile, ...args], { stdio: 'pipe' });
}

/**
 * Everything a process wrote, once it has exited and its output pipes have closed, with its exit
 * code: `exit` can come before the last output has been read (seen in CI as an empty stdout).
 */
export async function exitOf(
  child: ChildProcessWithoutNullStreams,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}
