import { describe, expect, it } from 'vitest';
import { AiaasClient, Budget, Ledger, Money } from '../../../src/index.js';
import { manualClock } from '../../support/manual-clock.js';

const usd = (amount: string) => Money.of(amount, 'USD');
// Never called: these tests only build the client.
const offline = {
  baseURL: 'http://127.0.0.1:9/v1',
  apiKey: 'sk-test',
  pricing: 'server' as const,
  logLevel: 'off' as const,
};

describe('a Budget given to a client without a ledger of its own', () => {
  it("records its lapsed reservations in the client's ledger", async () => {
    const time = manualClock(Date.now());
    const budget = new Budget({ limits: [{ limit: usd('1') }], now: time.now, leaseMs: 1_000 });
    const client = new AiaasClient({ ...offline, budget });
    expect(budget.ledger).toBe(client.ledger);

    // A hold whose owner stops renewing it (as a crashed or stalled call would) lapses and is recorded once.
    const held = await budget.reserve(usd('0.25'), [], { idempotencyKey: 'stalled-call' });
    budget.close();
    time.advance(1_000);
    const expiries = await budget.sweep();
    expect(expiries.map((expiry) => expiry.charge.id)).toEqual([held.id]);
    const [entry] = await client.ledger.entries();
    expect(entry).toMatchObject({ idempotencyKey: 'stalled-call', tags: { 'aiaas.entry': 'lease-expired' } });
    expect(entry?.cost?.toDecimalString()).toBe('0.25');
    await client.close();
  });

  it('keeps a ledger it was given, whichever client it is used with', async () => {
    const own = new Ledger();
    const budget = new Budget({ limits: [{ limit: usd('1') }], ledger: own });
    const client = new AiaasClient({ ...offline, budget });
    expect(budget.ledger).toBe(own);
    expect(client.ledger).not.toBe(own);
    await client.close();
    await budget.close();
  });
});
