import { fileURLToPath } from 'node:url';
import type { ReferenceServerOptions } from '../../src/server/index.js';
import { BenchChild } from '../harness/child-process.js';

/** Event-loop delay of the server's main thread over a window, in milliseconds. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

const entry = fileURLToPath(new URL('./reference-server-entry.ts', import.meta.url));

/** The reference server in a child process, reporting its own event-loop delay on request. */
export class ReferenceServerProcess {
  readonly url: string;
  readonly #child: BenchChild;

  private constructor(child: BenchChild, url: string) {
    this.#child = child;
    this.url = url;
  }

  static async start(options: ReferenceServerOptions): Promise<ReferenceServerProcess> {
    // Loading the ONNX models can take a while on a busy machine.
    const { child, ready } = await BenchChild.start(entry, {
      args: [JSON.stringify(options)],
      messageTimeoutMs: 120_000,
    });
    return new ReferenceServerProcess(child, ready.url as string);
  }

  /** Starts a new measuring window. */
  async resetLoopDelay(): Promise<void> {
    await this.#child.request({ type: 'reset-loop-delay' }, 'loop-delay-reset');
  }

  /** The delay since the last reset. */
  async loopDelay(): Promise<LoopDelay> {
    const reply = await this.#child.request({ type: 'loop-delay' }, 'loop-delay');
    return { p50: reply.p50 as number, p99: reply.p99 as number, max: reply.max as number };
  }

  stop(): Promise<void> {
    return this.#child.stop();
  }
}
