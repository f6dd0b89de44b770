/**
 * Counts requests whose handling has not ended yet (a stream's until its generation has
 * stopped, not merely until its socket closed), so shutdown can wait for them before it
 * releases the model sessions they use.
 *
 * @example
 * inFlight.track(dispatch(request, response));
 * await inFlight.whenIdle();
 */
export class InFlightRequests {
  #count = 0;
  #waiters: (() => void)[] = [];

  get count(): number {
    return this.#count;
  }

  track(handling: Promise<unknown>): void {
    this.#count++;
    const settle = () => {
      this.#count--;
      if (this.#count === 0) for (const resolve of this.#waiters.splice(0)) resolve();
    };
    handling.then(settle, settle);
  }

  whenIdle(): Promise<void> {
    if (this.#count === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
