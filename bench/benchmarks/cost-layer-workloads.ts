import { timeWork } from '../harness/cpu-time.js';
import type { loadCostLayer } from '../harness/load-sdk.js';
import type { Figure, Ratio } from '../harness/result-types.js';

export type CostLayer = Awaited<ReturnType<typeof loadCostLayer>>;

/** What each part of the cost-layer benchmark adds to its result. */
export interface CostLayerPart {
  figures: Figure[];
  ratios: Ratio[];
  notes: string[];
}

export interface CostLayerSettings {
  cost: CostLayer;
  rounds: number;
  /** Round time of operations that take milliseconds (file-backed stores). */
  durationMs: number;
  /** Operations per round of in-memory ones: a count, so what they keep stays bounded. */
  operationsPerRound: number;
  warmupRounds: number;
  /** A fresh temporary directory for the file-backed stores. */
  directory: string;
  log: (line: string) => void;
}

/** How long to keep an operation going: a time for slow ones, a count for fast ones that keep what they make. */
export type OperationBudget = { durationMs: number } | { count: number };

/** Microseconds per operation, by the clock and in CPU time. */
export interface OperationCost {
  wall: number;
  cpu: number;
}

/** Runs `operation` back to back within the budget. */
export async function microsecondsPerOperation(
  operation: () => Promise<unknown> | unknown,
  budget: OperationBudget,
): Promise<OperationCost> {
  // Checking the clock once per batch keeps the timer's own cost out of sub-microsecond figures.
  const batch = 16;
  let operations = 0;
  const deadline = 'durationMs' in budget ? performance.now() + budget.durationMs : Number.POSITIVE_INFINITY;
  const count = 'count' in budget ? budget.count : Number.POSITIVE_INFINITY;
  const { wallMs, cpuMs } = await timeWork(async () => {
    // At least one batch, so a round the machine delayed past its deadline still has a figure.
    while (operations < count && (operations === 0 || performance.now() < deadline)) {
      for (let index = 0; index < batch; index += 1) await operation();
      operations += batch;
    }
  });
  return { wall: (wallMs * 1000) / operations, cpu: (cpuMs * 1000) / operations };
}

/** A ledger entry as the client writes one for a priced chat call. */
export function sampleLedgerInput(cost: CostLayer) {
  return {
    model: 'gpt-4o-mini',
    provider: 'openai',
    requestId: 'req_0123456789',
    idempotencyKey: '3b241101-e2bb-4255-8caf-4136c566a962',
    attempt: 1,
    usage: cost.makeUsage({ inputTokens: 412, outputTokens: 96, requests: 1 }),
    cost: cost.Money.of('0.0001194', 'USD'),
    tags: { team: 'search', feature: 'answers' },
    status: 'ok' as const,
  };
}

const syllables = [
  'ka',
  'to',
  'ri',
  'men',
  'sol',
  've',
  'an',
  'dur',
  'lo',
  'pi',
  'qua',
  'zen',
  'th',
  'ex',
  'ion',
  'ly',
];
const punctuation = ['', '', '', '', ',', '.', ';', ':', '?', '()', '{}', '=>'];

/**
 * Deterministic text of about `bytes` bytes: made-up words of 1 to 4 syllables (tens of thousands of
 * distinct words, common ones more often, roughly Zipf), numbers and code punctuation. A small
 * vocabulary would let the tokenizer answer from its cache and overstate its speed.
 */
export function sampleText(bytes: number): string {
  let state = 42;
  const next = () => {
    // A linear congruential generator: the same text on every run.
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const words: string[] = [];
  let length = 0;
  while (length < bytes) {
    // Log-uniform ranks over 1..30,000: word frequency falls as 1/rank, like natural text.
    const rank = Math.floor(30_000 ** next());
    const hash = Math.imul(rank, 2_654_435_761) >>> 0;
    let word = '';
    for (let part = 0, code = hash; part < 1 + (hash % 4); part += 1, code = Math.floor(code / 16)) {
      word += syllables[code % syllables.length];
    }
    if (next() < 0.05) word = String(Math.floor(next() * 100_000));
    word += punctuation[Math.floor(next() * punctuation.length)];
    if (next() < 0.1) word = word[0]!.toUpperCase() + word.slice(1);
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ');
}
