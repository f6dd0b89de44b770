import type { MetricFamily, MetricSample } from './prometheus-text.js';

/**
 * A counter with a fixed set of label names: each distinct combination of label values is
 * its own monotonically increasing series.
 *
 * @example
 * const batches = new LabelledCounter('aiaas_batches_total', 'Model runs.', ['model']);
 * batches.add({ model: 'ref-embed' });
 * batches.family().samples; // [{ labels: { model: 'ref-embed' }, value: 1 }]
 */
export class LabelledCounter<LabelName extends string> {
  readonly #name: string;
  readonly #help: string;
  readonly #labelNames: readonly LabelName[];
  readonly #series = new Map<string, MetricSample>();

  constructor(name: string, help: string, labelNames: readonly LabelName[]) {
    this.#name = name;
    this.#help = help;
    this.#labelNames = labelNames;
  }

  /** Adds `amount` (default 1; never negative: a counter only goes up) to one series. */
  add(labels: Readonly<Record<LabelName, string>>, amount = 1): void {
    if (!(amount >= 0)) throw new RangeError(`A counter cannot change by ${amount}.`);
    const id = this.#idOf(labels);
    const series = this.#series.get(id);
    if (series !== undefined) {
      (series as { value: number }).value += amount;
      return;
    }
    const values = this.#labelNames.map((name) => labels[name]);
    const ordered = Object.fromEntries(this.#labelNames.map((name, index) => [name, values[index]!]));
    this.#series.set(id, { labels: ordered, value: amount });
  }

  /** The current value of one series (0 if it never moved). */
  get(labels: Readonly<Record<LabelName, string>>): number {
    return this.#series.get(this.#idOf(labels))?.value ?? 0;
  }

  /**
   * A series' key. With one label name its value alone is unambiguous (some are added once per
   * generated token); with more, each value is prefixed by its length, which is as unambiguous
   * as a JSON array and cheaper (one is made per request).
   */
  #idOf(labels: Readonly<Record<LabelName, string>>): string {
    const names = this.#labelNames;
    if (names.length === 1) return labels[names[0]!];
    let id = '';
    for (const name of names) {
      const value = labels[name];
      id += `${value.length}:${value}`;
    }
    return id;
  }

  family(): MetricFamily {
    return { name: this.#name, help: this.#help, type: 'counter', samples: [...this.#series.values()] };
  }
}
