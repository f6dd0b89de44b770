import { performance } from 'node:perf_hooks';
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
