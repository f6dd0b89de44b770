/**
 * Attempt numbers of calls nobody announced through `startCall`, by idempotency key. A key is
 * only needed while its call runs, so the oldest are forgotten past 1024: a long-lived client
 * must not grow this map forever.
 */
export class AttemptCounter {
  readonly #counts = new Map<string, number>();

  next(key: string | undefined, resume: boolean): number {
    if (key === undefined) return 1;
    const current = this.#counts.get(key) ?? 0;
    const attempt = resume && current > 0 ? current : current + 1;
    this.#counts.delete(key);
    this.#counts.set(key, attempt);
    // Insertion order makes the first key the least recently used one.
    if (this.#counts.size > 1024) this.#counts.delete(this.#counts.keys().next().value as string);
    return attempt;
  }
}
