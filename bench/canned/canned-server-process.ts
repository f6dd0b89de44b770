import { fileURLToPath } from 'node:url';
import { BenchChild } from '../harness/child-process.js';

/**
 * The canned server in a child process. On a 2-core machine an in-process server would share
 * one event loop (one core) with the client being measured: every client would then pay the
 * server's cost too, which squeezes all ratios towards 1 and hides the client differences we
 * want to see. In a child, the server has the other core, as a real remote server would.
 */
export class CannedServerProcess {
  readonly url: string;
  readonly #child: BenchChild;

  private constructor(child: BenchChild, port: number) {
    this.#child = child;
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(streamChunkCount: number): Promise<CannedServerProcess> {
    const entry = fileURLToPath(new URL('./canned-server-entry.ts', import.meta.url));
    const { child, ready } = await BenchChild.start(entry, { args: [String(streamChunkCount)] });
    return new CannedServerProcess(child, ready.port as number);
  }

  /** The base URL of an OpenAI-compatible API answering in the given mode. */
  apiRoot(mode: 'fixed' | 'stream' | 'hold'): string {
    return `${this.url}/${mode}/v1`;
  }

  /** Size of the canned SSE body, for MB/s. */
  async streamBodyBytes(): Promise<number> {
    return (await this.#child.request({ type: 'stream-bytes' }, 'stream-bytes')).bytes as number;
  }

  async heldCount(): Promise<number> {
    return (await this.#child.request({ type: 'held-count' }, 'held-count')).count as number;
  }

  async releaseHeld(): Promise<void> {
    await this.#child.request({ type: 'release-held' }, 'released');
  }

  stop(): Promise<void> {
    return this.#child.stop();
  }
}
