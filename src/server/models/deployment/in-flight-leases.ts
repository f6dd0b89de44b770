interface KeyLeases {
  count: number;
  drained: (() => void)[];
}

const noRelease = (): void => {};

/**
 * Counts the requests running on each deployed model version (engine key), so a reload or an
 * unload releases a session only once the requests that started on it have finished. A
 * request takes its lease in the same turn it resolves the version, so no swap slips between.
 *
 * @example
 * leases.track('key_1/iris/1#3');
 * const release = leases.hold('key_1/iris/1#3');
 * await Promise.all([leases.drain('key_1/iris/1#3'), Promise.resolve().then(release)]);
 */
export class InFlightLeases {
  readonly #keys = new Map<string, KeyLeases>();

  /** Starts counting a newly loaded version's requests. */
  track(key: string): void {
    this.#keys.set(key, { count: 0, drained: [] });
  }

  /** Marks one request as running on `key`; call the result when it is done (once). Untracked keys need none. */
  hold(key: string): () => void {
    const leases = this.#keys.get(key);
    if (leases === undefined) return noRelease;
    leases.count++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      leases.count--;
      if (leases.count === 0) for (const resolve of leases.drained.splice(0)) resolve();
    };
  }

  /** Requests running on `key` now. */
  count(key: string): number {
    return this.#keys.get(key)?.count ?? 0;
  }

  /** Resolves once no request runs on `key`, and stops counting it. */
  async drain(key: string): Promise<void> {
    const leases = this.#keys.get(key);
    if (leases !== undefined && leases.count > 0) {
      await new Promise<void>((resolve) => leases.drained.push(resolve));
    }
    this.#keys.delete(key);
  }
}
