import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BenchChild } from '../harness/child-process.js';
import type { ServerLoad } from './server-load.js';

/** The `parameters` of a Triton repository load: the config as JSON text, the file as base64. */
export function loadParameters(config: unknown, version: number, base64: string): Record<string, string> {
  return { config: JSON.stringify(config), [`file:${version}/model.onnx`]: base64 };
}

/**
 * Loads and unloads one deployed model over and over from the client side, each load a fresh
 * version, until stopped: the background work whose effect on other models' latency is measured.
 */
export class DeploymentChurn {
  readonly #load: ServerLoad;
  readonly #base: string;
  readonly #parameters: (version: number) => Record<string, string>;
  #version = 0;
  #stopped = true;
  #running: Promise<void> = Promise.resolve();
  /** Milliseconds of each completed load (the upload and the server's answer). */
  readonly loadTimesMs: number[] = [];

  constructor(
    load: ServerLoad,
    url: string,
    name: string,
    parameters: (version: number) => Record<string, string>,
  ) {
    this.#load = load;
    this.#base = `${url}/v2/repository/models/${name}`;
    this.#parameters = parameters;
  }

  start(): void {
    this.#stopped = false;
    this.#running = this.#loop();
  }

  /** Stops after the cycle in flight, which ends unloaded. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      this.#version += 1;
      const started = performance.now();
      await this.#load.post(`${this.#base}/load`, { parameters: this.#parameters(this.#version) });
      this.loadTimesMs.push(performance.now() - started);
      await this.#load.post(`${this.#base}/unload`, {});
    }
  }
}

/** {@link DeploymentChurn} run in a child process, started and stopped from the bench. */
export class DeploymentChurnProcess {
  readonly #child: BenchChild;
  /** Milliseconds of each completed load, over every start/stop so far. */
  readonly loadTimesMs: number[] = [];

  private constructor(child: BenchChild) {
    this.#child = child;
  }

  static async start(url: string, name: string, modelPath: string): Promise<DeploymentChurnProcess> {
    const entry = fileURLToPath(new URL('./deployment-churn-entry.ts', import.meta.url));
    const { child } = await BenchChild.start(entry, { args: [url, name, modelPath] });
    return new DeploymentChurnProcess(child);
  }

  async startChurn(): Promise<void> {
    await this.#child.request({ type: 'start-churn' }, 'churn-started');
  }

  /** Stops after the cycle in flight, which ends unloaded. */
  async stopChurn(): Promise<void> {
    const reply = await this.#child.request({ type: 'stop-churn' }, 'churn-stopped');
    this.loadTimesMs.splice(0, this.loadTimesMs.length, ...(reply.loadTimesMs as number[]));
  }

  stop(): Promise<void> {
    return this.#child.stop();
  }
}
