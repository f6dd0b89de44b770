export { bodyFingerprint } from './body-fingerprint.js';
export { IdempotencyStore } from './idempotency-store.js';
export type {
  IdempotencyBegin,
  IdempotencyConflict,
  IdempotencyInProgress,
  IdempotencyNew,
  IdempotencyReplay,
  IdempotencyStoreOptions,
  StoredResponse,
} from './idempotency-types.js';
