import { budgetCloseFunction, budgetReserveFunction } from './postgres-budget-calls.js';
import type { PostgresNames } from './postgres-connection.js';

/**
 * Version 3 of the budget schema: running totals per scope and currency, so a reserve decides in
 * O(1) and holds its hot row only briefly.
 *
 * - `<prefix>budget_totals` keeps, per scope and currency, all spend ever, what open reservations
 *   hold, and the spend of the latest day settled on (`day_ms`, `day_spent`, not yet in the day
 *   sums). A reserve adds its amount there (one UPDATE per scope, in scope order) and reads the
 *   tally from the row it changed; a settle on that day changes only that row, as a release does;
 *   a sweep moves amounts between the columns. That row is the lock: whatever changes a scope's
 *   spend locks it first, so a reserve that holds it reads a state the budget was in. The lock row
 *   of versions 1 and 2 goes.
 * - The work that needs no lock comes before it: a reserve inserts its charge first (and deletes it
 *   again if refused), a settle closes its charge first; only the totals row (and rarely a day
 *   row), then the commit, are held.
 * - Locks are taken charge first, then totals (in scope order), then day rows of a scope whose
 *   totals row is held, by every function, so they never wait for each other in a circle.
 * - The idempotency key index holds only charges that have a key, and a domain checks the state.
 *
 * Upgrading writes the totals from the day sums and open charges, with v2 writers shut out: those
 * in flight finish first; those that come meanwhile fail, writing nothing (their lock row and
 * `budget_add_spend` are gone), rather than write past the totals.
 *
 * @example
 * const sql = budgetTotalsVersion3(postgresNames({ schema: 'billing' }));
 */
export function budgetTotalsVersion3(names: PostgresNames): string {
  const charges = names.qualify('budget_charges');
  const days = names.qualify('budget_spend_days');
  const totals = names.qualify('budget_totals');
  const day = names.qualify('budget_day');
  const ceilDay = names.qualify('budget_ceil_day');
  const sweep = names.qualify('budget_sweep');
  return `
-- Version 2 calls in flight finish first (the lock row, then the charges); those that start now
-- wait, then fail (their lock row and add_spend are gone) rather than write past the totals.
LOCK TABLE ${names.qualify('budget_lock')}, ${charges}, ${days} IN EXCLUSIVE MODE;

CREATE TABLE ${totals} (
  scope text NOT NULL,
  currency text NOT NULL,
  spent numeric(40, 0) NOT NULL,
  reserved numeric(40, 0) NOT NULL,
  day_ms bigint NOT NULL DEFAULT 0,
  day_spent numeric(40, 0) NOT NULL DEFAULT 0,
  PRIMARY KEY (scope, currency)
) WITH (fillfactor = 50);

INSERT INTO ${totals} (scope, currency, spent, reserved)
SELECT scope, currency, sum(spent), sum(reserved) FROM (
  SELECT d.scope, d.currency, d.spent, 0::numeric AS reserved FROM ${days} AS d
  UNION ALL
  SELECT s.scope, c.currency, 0, c.amount FROM ${charges} AS c CROSS JOIN LATERAL unnest(c.scopes) AS s(scope)
  WHERE c.state = 'reserved'
) AS amounts GROUP BY scope, currency;

-- A domain's check is prepared once per connection; a table's CHECK is parsed again by every statement.
CREATE DOMAIN ${names.qualify('budget_charge_state')} AS text
  CHECK (VALUE IN ('reserved', 'settled', 'released', 'expired'));
ALTER TABLE ${charges} DROP CONSTRAINT ${names.bare('budget_charges_state_check')},
  ALTER COLUMN state TYPE ${names.qualify('budget_charge_state')};

DROP INDEX "${names.schema}".${names.bare('budget_charges_idempotency_key')};
CREATE INDEX ${names.bare('budget_charges_idempotency_key')} ON ${charges} (idempotency_key)
  WHERE idempotency_key IS NOT NULL;

-- Leases run out: each lapsed charge counts as spent at its full amount, at its expiry.
CREATE OR REPLACE FUNCTION ${sweep}(now_ms bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  lapsed_scopes text[];
  lapsed_currencies text[];
  lapsed_days bigint[];
  lapsed_units numeric[];
BEGIN
  WITH lapsed AS (
    UPDATE ${charges} AS c SET state = 'expired', spent = c.amount, spent_ms = c.expires_ms
    WHERE c.state = 'reserved' AND c.expires_ms <= now_ms
    RETURNING c.scopes, c.currency, c.expires_ms, c.amount
  ), per_day AS (
    SELECT s.scope, l.currency, ${day}(l.expires_ms) AS day_ms, sum(l.amount) AS units
    FROM lapsed AS l CROSS JOIN LATERAL unnest(l.scopes) AS s(scope) GROUP BY 1, 2, 3
  )
  SELECT array_agg(scope), array_agg(currency), array_agg(day_ms), array_agg(units)
  INTO lapsed_scopes, lapsed_currencies, lapsed_days, lapsed_units FROM per_day;
  IF lapsed_scopes IS NULL THEN RETURN; END IF;
  INSERT INTO ${totals} AS t (scope, currency, spent, reserved)
  SELECT l.scope, l.currency, sum(l.units), -sum(l.units)
  FROM unnest(lapsed_scopes, lapsed_currencies, lapsed_units) AS l(scope, currency, units)
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (scope, currency) DO UPDATE SET spent = t.spent + excluded.spent, reserved = t.reserved + excluded.reserved;
  INSERT INTO ${days} AS d (scope, currency, day_ms, spent)
  SELECT l.scope, l.currency, l.day_ms, l.units
  FROM unnest(lapsed_scopes, lapsed_currencies, lapsed_days, lapsed_units) AS l(scope, currency, day_ms, units)
  ORDER BY 1, 2, 3
  ON CONFLICT (scope, currency, day_ms) DO UPDATE SET spent = d.spent + excluded.spent;
END $$;

-- Spend settled or expired since since_ms: whole days from their sums (and the day a totals row
-- keeps), the partial one by charge.
CREATE FUNCTION ${names.qualify('budget_spent_since')}(spent_scope text, spent_currency text, since_ms bigint)
RETURNS numeric LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN coalesce((SELECT sum(d.spent) FROM ${days} AS d
      WHERE d.scope = spent_scope AND d.currency = spent_currency AND d.day_ms >= ${ceilDay}(since_ms)), 0)
    + coalesce((SELECT t.day_spent FROM ${totals} AS t
      WHERE t.scope = spent_scope AND t.currency = spent_currency AND t.day_ms >= ${ceilDay}(since_ms)), 0)
    + coalesce((SELECT sum(c.spent) FROM ${charges} AS c
      WHERE c.state IN ('settled', 'expired') AND c.spent_ms >= since_ms AND c.spent_ms < ${ceilDay}(since_ms)
        AND c.currency = spent_currency AND c.scopes @> ARRAY[spent_scope]), 0);
END $$;

-- Spend since since_ms (null: ever) and open reservations, as of now_ms. A reservation whose
-- lease ran out but that no sweep has marked yet counts as spent at its expiry already.
CREATE OR REPLACE FUNCTION ${names.qualify('budget_tally')}(tally_scope text, tally_currency text, since_ms bigint,
  now_ms bigint, OUT spent numeric, OUT reserved numeric) LANGUAGE plpgsql STABLE AS $$
DECLARE
  lapsed_all numeric;
  lapsed_in_window numeric;
  total_spent numeric;
BEGIN
  SELECT coalesce(sum(c.amount), 0), coalesce(sum(c.amount) FILTER (WHERE since_ms IS NULL OR c.expires_ms >= since_ms), 0)
  INTO lapsed_all, lapsed_in_window FROM ${charges} AS c
  WHERE c.state = 'reserved' AND c.expires_ms <= now_ms AND c.currency = tally_currency AND c.scopes @> ARRAY[tally_scope];
  SELECT t.spent, t.reserved INTO total_spent, reserved FROM ${totals} AS t
  WHERE t.scope = tally_scope AND t.currency = tally_currency;
  reserved := coalesce(reserved, 0) - lapsed_all;
  IF since_ms IS NULL THEN
    spent := coalesce(total_spent, 0) + lapsed_in_window;
  ELSE
    spent := ${names.qualify('budget_spent_since')}(tally_scope, tally_currency, since_ms) + lapsed_in_window;
  END IF;
END $$;

-- Expires what has lapsed, then hands every unclaimed expiry to one claimant. The expired charges
-- are locked before the sweep takes any totals row, as a settle takes them.
CREATE OR REPLACE FUNCTION ${names.qualify('budget_claim_expired')}(claimant text, now_ms bigint)
RETURNS SETOF ${charges} LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM ${charges} AS c WHERE c.state = 'expired' AND c.expiry_recorded_by IS NULL FOR UPDATE;
  PERFORM ${sweep}(now_ms);
  RETURN QUERY WITH claimed AS (
    UPDATE ${charges} AS c SET expiry_recorded_by = claimant
    WHERE c.state = 'expired' AND c.expiry_recorded_by IS NULL RETURNING c.*
  ) SELECT * FROM claimed ORDER BY claimed.spent_ms, claimed.id COLLATE "C";
END $$;

${budgetReserveFunction(names)}

${budgetCloseFunction(names)}

DROP FUNCTION ${names.qualify('budget_add_spend')}(text[], text, bigint, numeric);
DROP TABLE ${names.qualify('budget_lock')};
`;
}
