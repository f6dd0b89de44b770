import type { PostgresNames } from './postgres-connection.js';

/**
 * Version 2 of the budget schema: the same functions, faster, with the same results.
 *
 * - The helpers (`add_spend`, `sweep`, `tally`) are PL/pgSQL: PostgreSQL plans a SQL function's
 *   body again on every call from PL/pgSQL (before version 18), while PL/pgSQL keeps its plans for
 *   the connection. Planning was most of a reserve's time.
 * - A reserve sweeps only when some lease has run out (an index probe finds it), not on every call.
 * - Settle and release no longer take the lock row: they lock the one charge they close
 *   (`FOR UPDATE`), which orders them against a sweep, a claim or another close of that charge. A
 *   reserve still decides under the lock row; a close that commits meanwhile only turns a
 *   reservation into what was spent, so every tally the reserve reads is a state the budget was in.
 *   The lock row now serialises reserves alone, and the time it is held is the reserve's alone.
 *
 * A shipped migration's text never changes, so this one repeats what it keeps of version 1.
 *
 * @example
 * const sql = budgetFunctionsVersion2(postgresNames({ schema: 'billing' }));
 */
export function budgetFunctionsVersion2(names: PostgresNames): string {
  const charges = names.qualify('budget_charges');
  const days = names.qualify('budget_spend_days');
  const day = names.qualify('budget_day');
  const ceilDay = names.qualify('budget_ceil_day');
  const addSpend = names.qualify('budget_add_spend');
  const sweep = names.qualify('budget_sweep');
  const tally = names.qualify('budget_tally');
  return `
CREATE OR REPLACE FUNCTION ${addSpend}(charge_scopes text[], charge_currency text, at_ms bigint, units numeric)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO ${days} AS d (scope, currency, day_ms, spent)
  SELECT DISTINCT s.scope, charge_currency, ${day}(at_ms), units FROM unnest(charge_scopes) AS s(scope)
  ORDER BY 1
  ON CONFLICT (scope, currency, day_ms) DO UPDATE SET spent = d.spent + excluded.spent;
END $$;

CREATE OR REPLACE FUNCTION ${sweep}(now_ms bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  WITH lapsed AS (
    UPDATE ${charges} AS c SET state = 'expired', spent = c.amount, spent_ms = c.expires_ms
    WHERE c.state = 'reserved' AND c.expires_ms <= now_ms
    RETURNING c.scopes, c.currency, c.expires_ms, c.amount
  )
  INSERT INTO ${days} AS d (scope, currency, day_ms, spent)
  SELECT s.scope, l.currency, ${day}(l.expires_ms), sum(l.amount)
  FROM lapsed AS l CROSS JOIN LATERAL unnest(l.scopes) AS s(scope)
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (scope, currency, day_ms) DO UPDATE SET spent = d.spent + excluded.spent;
END $$;

CREATE OR REPLACE FUNCTION ${tally}(tally_scope text, tally_currency text, since_ms bigint, now_ms bigint,
  OUT spent numeric, OUT reserved numeric) LANGUAGE plpgsql STABLE AS $$
BEGIN
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
  INTO spent, reserved;
END $$;

CREATE OR REPLACE FUNCTION ${names.qualify('budget_reserve')}(
  charge_id text, charge_scopes text[], charge_currency text, charge_amount numeric, reserved_at_ms bigint,
  charge_owner text, lease_expires_ms bigint, charge_idempotency_key text, charge_model text,
  charge_provider text, now_ms bigint,
  check_scopes text[], check_since_ms bigint[], check_limits numeric[], check_hard boolean[],
  OUT accepted boolean, OUT tally_spent text[], OUT tally_reserved text[], OUT expiries_waiting boolean)
LANGUAGE plpgsql AS $$
DECLARE
  totals record;
BEGIN
  UPDATE ${names.qualify('budget_lock')} SET turns = turns + 1 WHERE id = 1;
  IF EXISTS (SELECT 1 FROM ${charges} AS c WHERE c.state = 'reserved' AND c.expires_ms <= now_ms) THEN
    PERFORM ${sweep}(now_ms);
  END IF;
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

CREATE OR REPLACE FUNCTION ${names.qualify('budget_close')}(charge_id text, closed_state text, actual_units numeric, at_ms bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  found_charge record;
BEGIN
  SELECT c.state, c.spent, c.spent_ms, c.scopes, c.currency, c.expiry_recorded_by INTO found_charge
  FROM ${charges} AS c WHERE c.id = charge_id FOR UPDATE;
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
`;
}
