/** One server-sent event as written: its `id:` and its `data:` payload (`[DONE]` included). */
export interface ReplayEvent {
  readonly id: number;
  readonly data: string;
}

/** Where the recorded generation is: still producing events, ran to its end, or ended early. */
export type ReplayState = 'running' | 'completed' | 'failed';

/** The recorded events after the id a client saw last. */
export interface ReplayEvents {
  kind: 'events';
  events: ReplayEvent[];
  /** `running`: more events may follow (use `follow` to get them as they come). */
  state: ReplayState;
}

/**
 * The buffer cannot give the events after `requestedAfterId` exactly: `evicted` when the oldest
 * of them was dropped to bound memory, `ahead` when the client names an id that was never
 * recorded. The server answers 409/410 with a clear error instead of sending wrong text.
 */
export interface ReplayGap {
  kind: 'gap';
  reason: 'evicted' | 'ahead';
  requestedAfterId: number;
  /** The oldest id still held, or undefined when none is. */
  firstAvailableId: number | undefined;
  /** The newest id recorded (0 when none). */
  lastEventId: number;
}

/**
 * Thrown by `subscribe` and `follow` when they cannot continue exactly; carries the gap.
 *
 * @example
 * try { for await (const event of buffer.follow(lastEventId)) write(event); }
 * catch (error) { if (error instanceof ReplayGapError) answerGone(error.gap); else throw error; }
 */
export class ReplayGapError extends Error {
  readonly gap: ReplayGap;

  constructor(gap: ReplayGap, detail?: string) {
    const reason =
      gap.reason === 'ahead'
        ? `event ${gap.requestedAfterId} was never sent (the last event is ${gap.lastEventId})`
        : `events after ${gap.requestedAfterId} are no longer held (the oldest held is ${gap.firstAvailableId ?? 'none'})`;
    super(`Cannot resume the stream: ${detail ?? reason}.`);
    this.name = 'ReplayGapError';
    this.gap = gap;
  }
}

/** Told about each event after the subscription point, then once about the end. */
export interface ReplayListener {
  onEvent(event: ReplayEvent): void;
  onEnd(state: Exclude<ReplayState, 'running'>): void;
}
