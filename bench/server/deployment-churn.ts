import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BenchChild } from '../harness/child-process.js';
import type { ServerLoad } from './server-load.js';

/** The `parameters` of a Triton repository load: the config as JSON text, the file as base64. */
export function loadParameters(config: unknown, version: number, base64: string): Record<string, string> {
  return { config: JSON.stringify(config), [`file:${version}/model.onnx`]: base64 };
}

/** Room for a version number of up to this many digits. */
const versionDigits = 9;
/** What follows `"file:` in the key: the version, the rest of the key, and blanks that pad it. */
const keyRoom = versionDigits + '/model.onnx"'.length;

/**
 * A load body as bytes, built once: each load writes its version into the room left for it (JSON
 * allows the blanks that pad it), so the uploader does not build and encode megabytes of JSON per
 * load. A real uploader builds its bodies on its own machine; this one shares the server's cores.
 */
export class ReusableLoadBody {
  readonly #bytes: Buffer;
  readonly #versionAt: number;

  constructor(config: unknown, base64: string) {
    const head = `{"parameters":{"config":${JSON.stringify(JSON.stringify(config))},"file:`;
    const tail = `:"${base64}"}}`;
    this.#versionAt = Buffer.byteLength(head);
    this.#bytes = Buffer.from(`${head}${' '.repeat(keyRoom)}${tail}`);
  }

  /** The body for `version`; it changes with the next call, once the request it was for is done. */
  forVersion(version: number): Buffer {
    if (String(version).length > versionDigits)
      throw new RangeError(`version ${version} has too many digits`);
    this.#bytes.fill(' ', this.#versionAt, this.#versionAt + keyRoom);
    this.#bytes.write(`${version}/model.onnx"`, this.#versionAt, 'latin1');
    return this.#bytes;
  }
}

/**
 * Loads and unloads one deployed model over and over from the client side, each load a fresh
 * version, until stopped: the background work whose effect on other models' latency is measured.
 */
export class DeploymentChurn {
  readonly #load: ServerLoad;
  readonly #base: string;
  readonly #body: (version: number) => Buffer;
  #version = 0;
  #stopped = true;
  #running: Promise<void> = Promise.resolve();
  /** Milliseconds of each completed load (the upload and the server's answer). */
  readonly loadTimesMs: number[] = [];

  constructor(load: ServerLoad, url: string, name: string, body: (version: number) => Buffer) {
    this.#load = load;
    this.#base = `${url}/v2/repository/models/${name}`;
    this.#body = body;
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
      await this.#load.post(`${this.#base}/load`, this.#body(this.#version));
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
