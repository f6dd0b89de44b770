import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ReferenceServerOptions } from '../../../src/server/index.js';
import type { ProbeMessage, ProbeRequest } from './memory-probe-server.js';

const script = fileURLToPath(new URL('./memory-probe-server.ts', import.meta.url));

/** A reference server running in a child process, whose memory the test can read. */
export interface MemoryProbe {
  readonly url: string;
  /** The server process's resident set size now, and the highest sampled since start or `resetPeak`. */
  memory(): Promise<{ rss: number; peakRss: number }>;
  resetPeak(): void;
  /** Closes the server and waits for the process to exit; kills it if it does not within the deadline. */
  close(): Promise<void>;
}

function nextMessage<Type extends ProbeMessage['type']>(
  child: ChildProcess,
  type: Type,
  deadlineMs: number,
): Promise<Extract<ProbeMessage, { type: Type }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`the server process sent no '${type}' within ${deadlineMs} ms`));
    }, deadlineMs);
    const onMessage = (message: ProbeMessage) => {
      if (message.type !== type) return;
      cleanup();
      resolve(message as Extract<ProbeMessage, { type: Type }>);
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`the server process exited (${code}) before sending '${type}'`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * Starts `memory-probe-server.ts` with `options` in a child process (via tsx, as the CLI tests
 * do) and waits until it listens.
 *
 * @example
 * const probe = await startMemoryProbe({ apiKeys: ['sk-a'] });
 * const { peakRss } = await probe.memory();
 * await probe.close();
 */
export async function startMemoryProbe(options: ReferenceServerOptions): Promise<MemoryProbe> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const send = (request: ProbeRequest) => child.send(request);
  let listening: { url: string };
  try {
    listening = await nextMessage(child, 'listening', 60_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url: listening.url,
    async memory() {
      const answer = nextMessage(child, 'memory', 10_000);
      send({ type: 'memory' });
      const { rss, peakRss } = await answer;
      return { rss, peakRss };
    },
    resetPeak: () => send({ type: 'reset-peak' }),
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const killTimer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      send({ type: 'close' });
      await exited;
      clearTimeout(killTimer);
    },
  };
}
