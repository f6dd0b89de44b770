/** One lease end: the charge's id and the expiry it had when queued. */
export interface QueuedLease {
  readonly expiresAt: number;
  readonly id: string;
}

/**
 * Lease ends in time order (a binary min-heap), so that finding the leases that ran out costs
 * nothing while none has. A renewed lease is queued again rather than moved: the stale entry is
 * recognised and skipped when it comes up (its charge's expiry no longer matches).
 *
 * @example
 * queue.push({ expiresAt: Date.now() + 120_000, id: 'charge_1' });
 * for (const lease of queue.popUntil(Date.now())) expireIfCurrent(lease);
 */
export class LeaseExpiryQueue {
  private readonly heap: QueuedLease[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(lease: QueuedLease): void {
    const { heap } = this;
    heap.push(lease);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >>> 1;
      if ((heap[parent] as QueuedLease).expiresAt <= lease.expiresAt) break;
      heap[index] = heap[parent] as QueuedLease;
      index = parent;
    }
    heap[index] = lease;
  }

  /** Removes and returns every lease that ends at or before `now`, earliest first. */
  popUntil(now: number): QueuedLease[] {
    const due: QueuedLease[] = [];
    while (this.heap.length > 0 && (this.heap[0] as QueuedLease).expiresAt <= now) {
      due.push(this.popFirst());
    }
    return due;
  }

  private popFirst(): QueuedLease {
    const { heap } = this;
    const first = heap[0] as QueuedLease;
    const last = heap.pop() as QueuedLease;
    if (heap.length === 0) return first;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      let smallestTime = last.expiresAt;
      if (left < heap.length && (heap[left] as QueuedLease).expiresAt < smallestTime) {
        smallest = left;
        smallestTime = (heap[left] as QueuedLease).expiresAt;
      }
      if (right < heap.length && (heap[right] as QueuedLease).expiresAt < smallestTime) smallest = right;
      if (smallest === index) break;
      heap[index] = heap[smallest] as QueuedLease;
      index = smallest;
    }
    heap[index] = last;
    return first;
  }
}
