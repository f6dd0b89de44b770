import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A TypeScript file run as a real child process (node with tsx) that reports in lines on stdout. */
export interface LineProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Its next line; rejects, with what it wrote to stderr, if it ends first. */
  next(): Promise<string>;
  /** Its next line, parsed as JSON. */
  nextJson<Value>(): Promise<Value>;
  /** Resolves with its exit code and signal once it has ended. */
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
  /** SIGKILLs it unless it has ended, and waits until it has. */
  kill(): Promise<void>;
}

/**
 * Starts `script` under `node --import tsx` from the repository root, as the tests' other child
 * processes run. Its stdin stays open (a barrier can be a line written to it).
 *
 * @example
 * const worker = startLineProcess(fileURLToPath(new URL('./support/spender.ts', import.meta.url)), [url]);
 * expect(await worker.next()).toBe('ready');
 * worker.child.stdin.write('go\n');
 * const result = await worker.nextJson<{ accepted: number }>();
 */
export function startLineProcess(script: string, args: readonly string[]): LineProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const line = await lines.next();
    if (line.done !== true) return line.value;
    const [code, signal] = await exited;
    throw new Error(`${script} ended (${signal ?? code}) before its next line:\n${stderr.join('')}`);
  };
  return {
    child,
    next,
    nextJson: async <Value>() => JSON.parse(await next()) as Value,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
