import type { loadCostLayer } from '../harness/load-sdk.js';

type CostLayer = Awaited<ReturnType<typeof loadCostLayer>>;

/** Measures `operation` by running it back to back until `durationMs` passes: microseconds per operation. */
export async function microsecondsPerOperation(
  operation: () => Promise<unknown> | unknown,
  durationMs: number,
): Promise<number> {
  // Checking the clock once per batch keeps the timer's own cost out of sub-microsecond figures.
  const batch = 64;
  let operations = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  while (performance.now() < deadline) {
    for (let index = 0; index < batch; index += 1) await operation();
    operations += batch;
  }
  return ((performance.now() - started) * 1000) / operations;
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

const vocabulary = (
  'the model answers questions about invoices, orders and shipping; it quotes prices such as ' +
  '$12.50 or 3,400 tokens and writes code like const total = items.reduce((sum, item) => sum + item.price, 0);'
).split(' ');

/** Deterministic English-like text with numbers, punctuation and code, the mix a prompt usually has. */
export function sampleText(bytes: number): string {
  let state = 42;
  const words: string[] = [];
  let length = 0;
  while (length < bytes) {
    // A small linear congruential generator: the same text on every run.
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const word = vocabulary[state % vocabulary.length]!;
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ');
}
