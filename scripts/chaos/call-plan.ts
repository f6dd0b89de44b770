import { type TensorInput, tensor } from '../../src/builders/tensor-builder.js';
import { createSeededRandom } from '../../src/server/generation/sampler.js';
import type { ChatCompletionRequest } from '../../src/wire/openai/chat-schemas.js';
import type { EmbeddingRequest } from '../../src/wire/openai/embedding-schemas.js';
import { type ClientFaultKind, clientFaultFits } from './client-faults.js';

/** One logical call of a chaos run, fixed before the run starts so the same seed makes the same calls. */
export type PlannedCall = (
  | {
      readonly index: number;
      readonly idempotencyKey: string;
      readonly kind: 'chat';
      readonly request: ChatCompletionRequest;
    }
  | {
      readonly index: number;
      readonly idempotencyKey: string;
      readonly kind: 'chat-stream';
      readonly request: ChatCompletionRequest;
      /** Stop reading after this many text pieces, as a user's `break` would; undefined reads to the end. */
      readonly leaveAfterTexts: number | undefined;
    }
  | {
      readonly index: number;
      readonly idempotencyKey: string;
      readonly kind: 'embedding';
      readonly request: EmbeddingRequest;
    }
  | {
      readonly index: number;
      readonly idempotencyKey: string;
      readonly kind: 'infer';
      readonly model: string;
      readonly inputs: readonly TensorInput[];
    }
) & {
  /** What the client side does to this call; undefined leaves it to the server's chaos alone. */
  readonly clientFault: ClientFaultKind | undefined;
};

export type CallKind = PlannedCall['kind'];

export const callKinds: readonly CallKind[] = ['chat', 'chat-stream', 'embedding', 'infer'];

// Topics the State of the Union corpus behind ref-chat knows, so generations are real text.
const topics = [
  'jobs',
  'health care',
  'the economy',
  'our troops',
  'education',
  'energy',
  'taxes',
  'the budget',
  'families',
  'freedom',
  'small business',
  'the future',
];

/** Streams and plain chats dominate, as in a chat product; embeddings and tensors keep the other dialects busy. */
const kindWeights: readonly [CallKind, number][] = [
  ['chat', 0.3],
  ['chat-stream', 0.3],
  ['embedding', 0.2],
  ['infer', 0.2],
];

/** Which client faults a plan hands out, and to what share of the calls each. */
export interface ClientFaultPlan {
  readonly kinds: readonly ClientFaultKind[];
  readonly sharePerKind: number;
}

const noClientFaults: ClientFaultPlan = { kinds: [], sharePerKind: 0 };

function pick<Value>(random: () => number, values: readonly Value[]): Value {
  return values[Math.floor(random() * values.length)] as Value;
}

function pickKind(random: () => number): CallKind {
  let draw = random();
  for (const [kind, weight] of kindWeights) {
    if (draw < weight) return kind;
    draw -= weight;
  }
  return 'infer';
}

function prompt(random: () => number): string {
  const words = 1 + Math.floor(random() * 3);
  return Array.from({ length: words }, () => pick(random, topics)).join(' and ');
}

function chatRequest(random: () => number): ChatCompletionRequest {
  return {
    model: 'ref-chat',
    messages: [{ role: 'user', content: `Tell me about ${prompt(random)}` }],
    // A budget reserves max_tokens up front, so every chat call must cap its output.
    max_tokens: 6 + Math.floor(random() * 19),
  };
}

function classifierInputs(random: () => number): TensorInput[] {
  const rows = 1 + Math.floor(random() * 3);
  const features = new Float32Array(rows * 100);
  for (let index = 0; index < features.length; index++) features[index] = Math.round(random() * 100) / 100;
  return [tensor('input', features, [rows, 100])];
}

/**
 * The calls of a run: a seeded mix of chat (plain and streamed, some streams left early), embeddings and OIP inference,
 * each with its own Idempotency-Key derived from the seed and its index. Keys are given
 * explicitly rather than generated, because the server's chaos decides each fault from the key:
 * fixed keys make a run, faults included, repeatable.
 *
 * Client faults (`faults`) are drawn from a random stream of their own, so adding them leaves the
 * calls themselves as they were.
 *
 * @example
 * const calls = planCalls(7, 300); // calls[0].kind, calls[0].idempotencyKey === 'chaos-7-0'
 * planCalls(7, 300, { kinds: ['client_timeout'], sharePerKind: 0.05 }); // about 1 call in 20 times out
 */
export function planCalls(
  seed: number,
  count: number,
  faults: ClientFaultPlan = noClientFaults,
): PlannedCall[] {
  const random = createSeededRandom(seed);
  const faultRandom = createSeededRandom(seed ^ 0x5eed_fa17);
  const calls: PlannedCall[] = [];
  for (let index = 0; index < count; index++) {
    const idempotencyKey = `chaos-${seed}-${index}`;
    const kind = pickKind(random);
    const drawn =
      faultRandom() < faults.sharePerKind * faults.kinds.length ? pick(faultRandom, faults.kinds) : undefined;
    const clientFault = drawn !== undefined && clientFaultFits(drawn, { kind }) ? drawn : undefined;
    const base = { index, idempotencyKey, clientFault };
    switch (kind) {
      case 'chat':
        calls.push({ ...base, kind, request: chatRequest(random) });
        break;
      case 'chat-stream': {
        const request = chatRequest(random);
        // One stream in five is left early, so aborted streams must reconcile too.
        const leaveAfterTexts = random() < 0.2 ? 1 + Math.floor(random() * 4) : undefined;
        calls.push({ ...base, kind, request, leaveAfterTexts });
        break;
      }
      case 'embedding': {
        const inputs = Array.from({ length: 1 + Math.floor(random() * 3) }, () => prompt(random));
        calls.push({ ...base, kind, request: { model: 'ref-embed', input: inputs } });
        break;
      }
      case 'infer':
        calls.push({ ...base, kind, model: 'ref-classify', inputs: classifierInputs(random) });
        break;
    }
  }
  return calls;
}
