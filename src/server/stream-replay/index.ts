export {
  type RecordEventStreamOptions,
  type RecordingOutcome,
  recordEventStream,
} from './record-event-stream.js';
export {
  type ReplayEvent,
  type ReplayEvents,
  type ReplayGap,
  ReplayGapError,
  type ReplayListener,
  type ReplayState,
} from './replay-types.js';
export { StreamReplayBuffer, type StreamReplayBufferOptions } from './stream-replay-buffer.js';
export { StreamReplayStore, type StreamReplayStoreOptions } from './stream-replay-store.js';
