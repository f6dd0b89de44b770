/** What the process did behind the calls' backs during a run. */
export interface ProcessWatchReport {
  readonly unhandledRejections: number;
  readonly uncaughtExceptions: number;
  /** The first few, so a failing run says what leaked. */
  readonly samples: readonly string[];
  readonly peakRssBytes: number;
}

function describe(value: unknown): string {
  return value instanceof Error ? `${value.name}: ${value.message}` : String(value);
}

/**
 * Counts unhandled rejections and uncaught exceptions, and samples the resident set size, from
 * `start()` to `stop()`. Listening keeps such an event from killing the run, so it can be
 * counted and reported instead of ending everything with a stack trace.
 *
 * @example
 * const watch = new ProcessWatch(); watch.start(); await run(); const report = watch.stop();
 */
export class ProcessWatch {
  #rejections = 0;
  #exceptions = 0;
  #peakRss = 0;
  #samples: string[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;

  readonly #onRejection = (reason: unknown) => {
    this.#rejections += 1;
    this.#keep(`unhandled rejection: ${describe(reason)}`);
  };

  readonly #onException = (error: unknown) => {
    this.#exceptions += 1;
    this.#keep(`uncaught exception: ${describe(error)}`);
  };

  start(): void {
    process.on('unhandledRejection', this.#onRejection);
    process.on('uncaughtException', this.#onException);
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), 100);
  }

  stop(): ProcessWatchReport {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sample();
    process.off('unhandledRejection', this.#onRejection);
    process.off('uncaughtException', this.#onException);
    return {
      unhandledRejections: this.#rejections,
      uncaughtExceptions: this.#exceptions,
      samples: [...this.#samples],
      peakRssBytes: this.#peakRss,
    };
  }

  #sample(): void {
    this.#peakRss = Math.max(this.#peakRss, process.memoryUsage.rss());
  }

  #keep(line: string): void {
    if (this.#samples.length < 5) this.#samples.push(line);
  }
}

/**
 * The kinds of active resources (`process.getActiveResourcesInfo()`) now present beyond those
 * in `baseline`, counted as a multiset: what a run left open. Sockets and timers take a tick
 * or two to go after `close()`, so it waits up to `settleMs` for them before answering.
 *
 * @example
 * const baseline = process.getActiveResourcesInfo();
 * await run(); await closeEverything();
 * const leaked = await resourcesLeftOpen(baseline); // [] when nothing leaked
 */
export async function resourcesLeftOpen(baseline: readonly string[], settleMs = 3000): Promise<string[]> {
  const deadline = Date.now() + settleMs;
  for (;;) {
    const remaining = new Map<string, number>();
    for (const kind of baseline) remaining.set(kind, (remaining.get(kind) ?? 0) + 1);
    const extra: string[] = [];
    for (const kind of process.getActiveResourcesInfo()) {
      const left = remaining.get(kind) ?? 0;
      if (left > 0) remaining.set(kind, left - 1);
      else extra.push(kind);
    }
    if (extra.length === 0 || Date.now() >= deadline) return extra;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
