/** What one piece of generated text lets through a {@link StopSequenceFilter}. */
export interface StopFilterOutput {
  /** Text that can be shown now: it is not, and cannot become, part of a stop sequence. */
  text: string;
  /** True once a stop sequence has appeared; its text and anything after it are dropped. */
  stopped: boolean;
}

/**
 * Cuts generated text at the first stop sequence, and holds back any tail that could still
 * grow into one, so a stop string is never half-emitted before it is recognised.
 *
 * @example
 * const filter = new StopSequenceFilter(['\nUser:']);
 * filter.push('Hi.\nUs'); // { text: 'Hi.', stopped: false } — '\nUs' is held back
 * filter.push('er:');     // { text: '', stopped: true }
 */
export class StopSequenceFilter {
  readonly #stops: readonly string[];
  #pending = '';
  #stopped = false;

  constructor(stops: readonly string[]) {
    // An empty stop string would match everywhere; it stops nothing.
    this.#stops = stops.filter((stop) => stop.length > 0);
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  push(text: string): StopFilterOutput {
    if (this.#stopped) return { text: '', stopped: true };
    this.#pending += text;
    let matchIndex = -1;
    for (const stop of this.#stops) {
      const index = this.#pending.indexOf(stop);
      if (index !== -1 && (matchIndex === -1 || index < matchIndex)) matchIndex = index;
    }
    if (matchIndex !== -1) {
      const released = this.#pending.slice(0, matchIndex);
      this.#pending = '';
      this.#stopped = true;
      return { text: released, stopped: true };
    }
    const held = this.#longestPendingStopPrefix();
    const released = this.#pending.slice(0, this.#pending.length - held);
    this.#pending = this.#pending.slice(this.#pending.length - held);
    return { text: released, stopped: false };
  }

  /** Releases the held-back tail: generation ended, so it can no longer become a stop sequence. */
  flush(): string {
    const released = this.#stopped ? '' : this.#pending;
    this.#pending = '';
    return released;
  }

  #longestPendingStopPrefix(): number {
    let longest = 0;
    for (const stop of this.#stops) {
      for (let length = Math.min(stop.length - 1, this.#pending.length); length > longest; length--) {
        if (this.#pending.endsWith(stop.slice(0, length))) {
          longest = length;
          break;
        }
      }
    }
    return longest;
  }
}
