import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** Every message between the bench and its children is a JSON object with a `type`. */
export interface ChildMessage {
  type: string;
  [key: string]: unknown;
}

export interface ChildOptions {
  /** Extra flags for node itself, e.g. `--expose-gc`. */
  nodeFlags?: readonly string[];
  args?: readonly string[];
  /** How long to wait for any one awaited message. Default 60 s. */
  messageTimeoutMs?: number;
}

// The loader is resolved to a file URL so the child finds it whatever its working directory.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * A TypeScript module run in its own node process, talked to over the IPC channel. Servers
 * under load run in a child so that, on a small machine, the process being measured has a core
 * of its own instead of sharing an event loop with the other side of the connection.
 */
export class BenchChild {
  readonly process: ChildProcess;
  readonly #inbox: ChildMessage[] = [];
  readonly #waiters: { type: string; resolve: (message: ChildMessage) => void }[] = [];
  readonly #messageTimeoutMs: number;
  #exited: Promise<unknown>;

  private constructor(child: ChildProcess, messageTimeoutMs: number) {
    this.process = child;
    this.#messageTimeoutMs = messageTimeoutMs;
    this.#exited = once(child, 'exit');
    child.on('message', (message: ChildMessage) => {
      const index = this.#waiters.findIndex((waiter) => waiter.type === message.type);
      if (index === -1) {
        this.#inbox.push(message);
        return;
      }
      const [waiter] = this.#waiters.splice(index, 1);
      waiter!.resolve(message);
    });
  }

  /** Starts the module and waits for its `ready` message. */
  static async start(
    modulePath: string,
    options: ChildOptions = {},
  ): Promise<{ child: BenchChild; ready: ChildMessage }> {
    const child = fork(modulePath, [...(options.args ?? [])], {
      execArgv: ['--import', tsxLoader, ...(options.nodeFlags ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    const bench = new BenchChild(child, options.messageTimeoutMs ?? 60_000);
    const ready = await bench.receive('ready');
    return { child: bench, ready };
  }

  /** The next message of this type (one that already arrived, or the next to arrive). */
  receive(type: string): Promise<ChildMessage> {
    const index = this.#inbox.findIndex((message) => message.type === type);
    if (index !== -1) return Promise.resolve(this.#inbox.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`bench child sent no "${type}" message within ${this.#messageTimeoutMs} ms`));
      }, this.#messageTimeoutMs);
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`bench child exited (code ${code}) before sending "${type}"`));
      };
      this.process.once('exit', onExit);
      this.#waiters.push({
        type,
        resolve: (message) => {
          clearTimeout(timer);
          this.process.off('exit', onExit);
          resolve(message);
        },
      });
    });
  }

  send(message: ChildMessage): void {
    this.process.send(message);
  }

  /** Sends a request and waits for the reply of the given type. */
  async request(message: ChildMessage, replyType: string): Promise<ChildMessage> {
    const reply = this.receive(replyType);
    this.send(message);
    return reply;
  }

  /** Asks the child to stop, and kills it if it has not exited after a grace period. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    if (this.process.connected) this.send({ type: 'stop' });
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 5_000);
    await this.#exited;
    clearTimeout(timer);
  }
}

/** In a child: sends a message to the parent bench process. */
export function tellParent(message: ChildMessage): void {
  process.send?.(message);
}

/** In a child: calls the handler for each message from the parent. */
export function onParentMessage(handler: (message: ChildMessage) => void | Promise<void>): void {
  process.on('message', (message: ChildMessage) => {
    void handler(message);
  });
}
