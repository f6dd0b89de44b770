import { budgetFunctionsVersion2 } from './postgres-budget-functions.js';
import { budgetTotalsVersion3 } from './postgres-budget-totals.js';
import type { PostgresNames } from './postgres-connection.js';
import type { PostgresMigration } from './postgres-migrations.js';

/**
 * The budget tables and the functions that change them, as versioned migrations.
 *
 * Amounts are integer counts of 1e-12 units in `numeric(40,0)`: exact, and far past 64 bits.
 * Each operation that changes spend is one function call, so one statement and one
 * transaction. Since version 3 (`budgetTotalsVersion3`) every scope has a row of running totals
 * (all spend, open reservations) per currency: a reserve adds its amount to the rows of its
 * scopes, which locks them (under READ COMMITTED a second reserve waits its turn; under
 * REPEATABLE READ or SERIALIZABLE the loser fails with 40001 and the store retries it on a fresh
 * snapshot), and decides from what it read there. Spend is also kept per charge and summed per
 * scope and UTC day in `<prefix>budget_spend_days`, so a window since some time reads day sums
 * plus the charges of one partial day, whatever the history.
 *
 * @example
 * await applyPostgresMigrations(pool, names, 'budget', budgetMigrations(names));
 */
export function budgetMigrations(names: PostgresNames): PostgresMigration[] {
  return [
    { version: 1, description: 'budget charges, spend per day, reserve and settle', sql: version1(names) },
    {
      version: 2,
      description: 'plans kept per connection; settle and release lock only their charge',
      sql: budgetFunctionsVersion2(names),
    },
    {
      version: 3,
      description: 'running totals per scope decide a reserve; the lock row goes',
      sql: budgetTotalsVersion3(names),
    },
  ];
}

function version1(names: PostgresNames): string {
  const charges = names.qualify('budget_charges');
  const days = names.qualify('budget_spend_days');
  const lock = names.qualify('budget_lock');
  const day = names.qualify('budget_day');
  const ceilDay = names.qualify('budget_ceil_day');
  const addSpend = names.qualify('budget_add_spend');
  const sweep = names.qualify('budget_sweep');
  const tally = names.qualify('budget_tally');
  const takeLock = `UPDATE ${lock} SET turns = turns + 1 WHERE id = 1;`;
  return `
CREATE TABLE ${charges} (
  id text PRIMARY KEY,
  scopes text[] NOT NULL,
  currency text NOT NULL,
  amount numeric(40, 0) NOT NULL,
  state text NOT NULL CHECK (state IN ('reserved', 'settled', 'released', 'expired')),
  spent numeric(40, 0),
  spent_ms bigint,
  reserved_ms bigint NOT NULL,
  owner text NOT NULL,
  expires_ms bigint NOT NULL,
  idempotency_key text,
  model text,
  provider text,
  expiry_recorded_by text,
  estimate_corrected boolean NOT NULL DEFAULT false
);
CREATE INDEX ${names.bare('budget_charges_open')} ON ${charges} (expires_ms) WHERE state = 'reserved';
CREATE INDEX ${names.bare('budget_charges_spent')} ON ${charges} (spent_ms) WHERE state IN ('settled', 'expired');
CREATE INDEX ${names.bare('budget_charges_unrecorded')} ON ${charges} (spent_ms)
  WHERE state = 'expired' AND expiry_recorded_by IS NULL;
CREATE INDEX ${names.bare('budget_charges_idempotency_key')} ON ${charges} (idempotency_key);

CREATE TABLE ${days} (
  scope text NOT NULL,
  currency text NOT NULL,
  day_ms bigint NOT NULL,
  spent numeric(40, 0) NOT NULL,
  PRIMARY KEY (scope, currency, day_ms)
);

CREATE TABLE ${lock} (id integer PRIMARY KEY CHECK (id = 1), turns bigint NOT NULL);
INSERT INTO ${lock} (id, turns) VALUES (1, 0);

CREATE FUNCTION ${day}(at_ms bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS
  $$ SELECT floor(at_ms::numeric / 86400000)::bigint * 86400000 $$;
CREATE FUNCTION ${ceilDay}(at_ms bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS
  $$ SELECT ceil(at_ms::numeric / 86400000)::bigint * 86400000 $$;

-- Adds spend (negative: takes it back) to every scope of a charge, on the day of at_ms.
CREATE FUNCTION ${addSpend}(charge_scopes text[], charge_currency text, at_ms bigint, units numeric)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO ${days} AS d (scope, currency, day_ms, spent)
  SELECT DISTINCT s.scope, charge_currency, ${day}(at_ms), units FROM unnest(charge_scopes) AS s(scope)
  ORDER BY 1
  ON CONFLICT (scope, currency, day_ms) DO UPDATE SET spent = d.spent + excluded.spent
$$;

-- Leases run out: the charge counts as spent at its full amount, at its expiry.
CREATE FUNCTION ${sweep}(now_ms bigint) RETURNS void LANGUAGE sql AS $$
  WITH lapsed AS (
    UPDATE ${charges} SET state = 'expired', spent = amount, spent_ms = expires_ms
    WHERE state = 'reserved' AND expires_ms <= now_ms
    RETURNING scopes, currency, expires_ms, amount
  )
  INSERT INTO ${days} AS d (scope, currency, day_ms, spent)
  SELECT s.scope, l.currency, ${day}(l.expires_ms), sum(l.amount)
  FROM lapsed AS l CROSS JOIN LATERAL unnest(l.scopes) AS s(scope)
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (scope, currency, day_ms) DO UPDATE SET spent = d.spent + excluded.spent
$$;

-- Spend since since_ms (null: ever) and open reservations, as of now_ms. A reservation whose
-- lease ran out but that no sweep has marked yet counts as spent at its expiry already.
CREATE FUNCTION ${tally}(tally_scope text, tally_currency text, since_ms bigint, now_ms bigint,
  OUT spent numeric, OUT reserved numeric) LANGUAGE sql STABLE AS $$
  SELECT
    coalesce((SELECT sum(d.spent) FROM ${days} AS d
      WHERE d.scope = tally_scope AND d.currency = tally_currency
        AND (since_ms IS NULL OR d.day_ms >= ${ceilDay}(since_ms))), 0)
    + coalesce((SELECT sum(c.spent) FROM ${charges} AS c
      WHERE since_ms IS NOT NULL AND c.state IN ('settled', 'expired')
        AND c.spent_ms >= since_ms AND c.spent_ms < ${ceilDay}(since_ms)
        AND c.currency = tally_currency AND c.scopes @> ARRAY[tally_scope]), 0)
    + coalesce((SELECT sum(c.amount) FROM ${charges} AS c
      WHERE c.state = 'reserved' AND c.expires_ms <= now_ms AND (since_ms IS NULL OR c.expires_ms >= since_ms)
        AND c.currency = tally_currency AND c.scopes @> ARRAY[tally_scope]), 0),
    coalesce((SELECT sum(c.amount) FROM ${charges} AS c
      WHERE c.state = 'reserved' AND c.expires_ms > now_ms
        AND c.currency = tally_currency AND c.scopes @> ARRAY[tally_scope]), 0)
$$;

CREATE FUNCTION ${names.qualify('budget_reserve')}(
  charge_id text, charge_scopes text[], charge_currency text, charge_amount numeric, reserved_at_ms bigint,
  charge_owner text, lease_expires_ms bigint, charge_idempotency_key text, charge_model text,
  charge_provider text, now_ms bigint,
  check_scopes text[], check_since_ms bigint[], check_limits numeric[], check_hard boolean[],
  OUT accepted boolean, OUT tally_spent text[], OUT tally_reserved text[], OUT expiries_waiting boolean)
LANGUAGE plpgsql AS $$
DECLARE
  totals record;
BEGIN
  ${takeLock}
  PERFORM ${sweep}(now_ms);
  accepted := true;
  tally_spent := '{}';
  tally_reserved := '{}';
  FOR check_index IN 1 .. coalesce(array_length(check_scopes, 1), 0) LOOP
    SELECT * INTO totals FROM ${tally}(check_scopes[check_index], charge_currency, check_since_ms[check_index], now_ms);
    tally_spent := tally_spent || totals.spent::text;
    tally_reserved := tally_reserved || totals.reserved::text;
    IF check_hard[check_index] AND totals.spent + totals.reserved + charge_amount > check_limits[check_index] THEN
      accepted := false;
    END IF;
  END LOOP;
  IF accepted THEN
    INSERT INTO ${charges}
      (id, scopes, currency, amount, state, reserved_ms, owner, expires_ms, idempotency_key, model, provider)
    VALUES (charge_id, ARRAY(SELECT DISTINCT unnest(charge_scopes)), charge_currency, charge_amount, 'reserved',
      reserved_at_ms, charge_owner, lease_expires_ms, charge_idempotency_key, charge_model, charge_provider);
  END IF;
  expiries_waiting := EXISTS (SELECT 1 FROM ${charges} AS c WHERE c.state = 'expired' AND c.expiry_recorded_by IS NULL);
END $$;

-- Settles (at actual_units, at_ms) or releases (both null) an open or expired charge; an expired
-- one's estimated spend is taken back. Answers the store's outcome.
CREATE FUNCTION ${names.qualify('budget_close')}(charge_id text, closed_state text, actual_units numeric, at_ms bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  found_charge record;
BEGIN
  ${takeLock}
  SELECT c.state, c.spent, c.spent_ms, c.scopes, c.currency, c.expiry_recorded_by INTO found_charge
  FROM ${charges} AS c WHERE c.id = charge_id;
  IF NOT FOUND THEN RETURN 'unknown'; END IF;
  IF found_charge.state NOT IN ('reserved', 'expired') THEN RETURN 'closed'; END IF;
  IF found_charge.state = 'expired' THEN
    PERFORM ${addSpend}(found_charge.scopes, found_charge.currency, found_charge.spent_ms, -found_charge.spent);
  END IF;
  UPDATE ${charges} AS c SET state = closed_state, spent = actual_units, spent_ms = at_ms WHERE c.id = charge_id;
  IF closed_state = 'settled' THEN
    PERFORM ${addSpend}(found_charge.scopes, found_charge.currency, at_ms, actual_units);
  END IF;
  RETURN closed_state || CASE WHEN found_charge.expiry_recorded_by IS NULL THEN '' ELSE '-after-expiry' END;
END $$;

-- Expires what has lapsed, then hands every unclaimed expiry to one claimant.
CREATE FUNCTION ${names.qualify('budget_claim_expired')}(claimant text, now_ms bigint)
RETURNS SETOF ${charges} LANGUAGE plpgsql AS $$
BEGIN
  ${takeLock}
  PERFORM ${sweep}(now_ms);
  RETURN QUERY WITH claimed AS (
    UPDATE ${charges} AS c SET expiry_recorded_by = claimant
    WHERE c.state = 'expired' AND c.expiry_recorded_by IS NULL RETURNING c.*
  ) SELECT * FROM claimed ORDER BY claimed.spent_ms, claimed.id COLLATE "C";
END $$;
`;
}
