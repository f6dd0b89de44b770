import type { PostgresNames } from './postgres-connection.js';

// The two functions of schema version 3 that every call runs (see `budgetTotalsVersion3`).

/** PL/pgSQL that sets `target` to `scopes` in lock order (distinct, sorted; one needs no sorting). */
function sortScopes(target: string, scopes: string): string {
  return `IF cardinality(${scopes}) > 1 THEN
    ${target} := ARRAY(SELECT DISTINCT s FROM unnest(${scopes}) AS s ORDER BY 1);
  ELSE
    ${target} := ${scopes};
  END IF;`;
}

/** PL/pgSQL that adds `units` to one scope's day sum; the totals row of that scope is already held. */
function addToDay(
  names: PostgresNames,
  scope: string,
  currency: string,
  dayMs: string,
  units: string,
): string {
  const days = names.qualify('budget_spend_days');
  return `UPDATE ${days} AS d SET spent = d.spent + ${units}
    WHERE d.scope = ${scope} AND d.currency = ${currency} AND d.day_ms = ${dayMs};
    IF NOT FOUND THEN
      INSERT INTO ${days} AS d (scope, currency, day_ms, spent) VALUES (${scope}, ${currency}, ${dayMs}, ${units})
      ON CONFLICT (scope, currency, day_ms) DO UPDATE SET spent = d.spent + excluded.spent;
    END IF;`;
}

/**
 * `budget_reserve_flat`, which the store calls: records the charge, then adds it to each scope's totals (in scope order, so also locking them)
 * and decides every check from there; a refused charge is taken back out. Checks on scopes the
 * charge does not count against lock their totals too, unchanged.
 *
 * @example
 * const sql = budgetReserveFunction(postgresNames({ schema: 'billing' }));
 */
export function budgetReserveFunction(names: PostgresNames): string {
  const charges = names.qualify('budget_charges');
  const totals = names.qualify('budget_totals');
  const insertCharge = `INSERT INTO ${charges}
      (id, scopes, currency, amount, state, reserved_ms, owner, expires_ms, idempotency_key, model, provider)
    VALUES (charge_id, own_scopes, charge_currency, charge_amount, 'reserved', reserved_at_ms, charge_owner,
      lease_expires_ms, charge_idempotency_key, charge_model, charge_provider);`;
  // Adds what the charge holds to one scope's totals (made if missing), reading them as they were.
  const holdTotals = (scope: string, held: string) => `LOOP
      UPDATE ${totals} AS t SET reserved = t.reserved + ${held}
      WHERE t.scope = ${scope} AND t.currency = charge_currency
      RETURNING t.spent, t.reserved - ${held} INTO row_spent, row_reserved;
      EXIT WHEN FOUND;
      INSERT INTO ${totals} (scope, currency, spent, reserved) VALUES (${scope}, charge_currency, 0, 0)
      ON CONFLICT (scope, currency) DO NOTHING;
    END LOOP;`;
  return `
-- Answers [accepted, expiries waiting, then spent and reserved per check] as text: a scalar, which
-- costs the caller less than a function's OUT columns (no row type to build per call).
CREATE FUNCTION ${names.qualify('budget_reserve_flat')}(
  charge_id text, charge_scopes text[], charge_currency text, charge_amount numeric, reserved_at_ms bigint,
  charge_owner text, lease_expires_ms bigint, charge_idempotency_key text, charge_model text,
  charge_provider text, now_ms bigint,
  check_scopes text[], check_since_ms bigint[], check_limits numeric[], check_hard boolean[])
RETURNS text[] LANGUAGE plpgsql AS $$
DECLARE
  accepted boolean;
  expiries_waiting boolean;
  tallies text[];
  own_scopes text[];
  locked_scopes text[];
  scope_name text;
  held numeric;
  row_spent numeric;
  row_reserved numeric;
  scope_spent numeric[];
  scope_reserved numeric[];
  lapsed boolean;
  scope_index integer;
  window_spent numeric;
BEGIN
  SELECT EXISTS (SELECT 1 FROM ${charges} AS c WHERE c.state = 'reserved' AND c.expires_ms <= now_ms),
    EXISTS (SELECT 1 FROM ${charges} AS c WHERE c.state = 'expired' AND c.expiry_recorded_by IS NULL)
  INTO lapsed, expiries_waiting;
  IF lapsed THEN
    PERFORM ${names.qualify('budget_sweep')}(now_ms);
    expiries_waiting := true;
  END IF;
  IF cardinality(charge_scopes) = 1 AND check_scopes <@ charge_scopes THEN
    -- The usual case, one scope that every check is on: one totals row.
    own_scopes := charge_scopes;
    locked_scopes := charge_scopes;
    ${insertCharge}
    ${holdTotals('charge_scopes[1]', 'charge_amount')}
    IF cardinality(check_scopes) = 1 AND check_since_ms[1] IS NULL THEN
      -- And one check, over all time: decided by that row alone.
      accepted := NOT check_hard[1] OR row_spent + row_reserved + charge_amount <= check_limits[1];
      tallies := ARRAY[row_spent::text, row_reserved::text];
    ELSE
      scope_spent := ARRAY[row_spent];
      scope_reserved := ARRAY[row_reserved];
    END IF;
  ELSE
    ${sortScopes('own_scopes', 'charge_scopes')}
    locked_scopes := own_scopes;
    IF NOT (check_scopes <@ own_scopes) THEN
      ${sortScopes('locked_scopes', 'own_scopes || check_scopes')}
    END IF;
    ${insertCharge}
    scope_spent := '{}';
    scope_reserved := '{}';
    FOREACH scope_name IN ARRAY locked_scopes LOOP
      held := CASE WHEN scope_name = ANY (own_scopes) THEN charge_amount ELSE 0 END;
      ${holdTotals('scope_name', 'held')}
      scope_spent := scope_spent || row_spent;
      scope_reserved := scope_reserved || row_reserved;
    END LOOP;
  END IF;
  IF accepted IS NULL THEN
    accepted := true;
    tallies := '{}';
    FOR check_index IN 1 .. coalesce(array_length(check_scopes, 1), 0) LOOP
      scope_index := array_position(locked_scopes, check_scopes[check_index]);
      IF check_since_ms[check_index] IS NULL THEN
        window_spent := scope_spent[scope_index];
      ELSE
        window_spent := ${names.qualify('budget_spent_since')}(check_scopes[check_index], charge_currency, check_since_ms[check_index]);
      END IF;
      tallies := tallies || ARRAY[window_spent::text, scope_reserved[scope_index]::text];
      IF check_hard[check_index] AND window_spent + scope_reserved[scope_index] + charge_amount > check_limits[check_index] THEN
        accepted := false;
      END IF;
    END LOOP;
  END IF;
  IF NOT accepted THEN
    DELETE FROM ${charges} AS c WHERE c.id = charge_id;
    UPDATE ${totals} AS t SET reserved = t.reserved - charge_amount
    WHERE t.currency = charge_currency AND t.scope = ANY (own_scopes);
  END IF;
  RETURN ARRAY[accepted::text, expiries_waiting::text] || tallies;
END $$;

-- The reserve of versions 1 and 2, for their processes still running.
CREATE OR REPLACE FUNCTION ${names.qualify('budget_reserve')}(
  charge_id text, charge_scopes text[], charge_currency text, charge_amount numeric, reserved_at_ms bigint,
  charge_owner text, lease_expires_ms bigint, charge_idempotency_key text, charge_model text,
  charge_provider text, now_ms bigint,
  check_scopes text[], check_since_ms bigint[], check_limits numeric[], check_hard boolean[],
  OUT accepted boolean, OUT tally_spent text[], OUT tally_reserved text[], OUT expiries_waiting boolean)
LANGUAGE plpgsql AS $$
DECLARE
  answer text[] := ${names.qualify('budget_reserve_flat')}(charge_id, charge_scopes, charge_currency, charge_amount,
    reserved_at_ms, charge_owner, lease_expires_ms, charge_idempotency_key, charge_model, charge_provider, now_ms,
    check_scopes, check_since_ms, check_limits, check_hard);
BEGIN
  accepted := answer[1]::boolean;
  expiries_waiting := answer[2]::boolean;
  tally_spent := ARRAY(SELECT answer[i] FROM generate_series(3, cardinality(answer), 2) AS i);
  tally_reserved := ARRAY(SELECT answer[i] FROM generate_series(4, cardinality(answer), 2) AS i);
END $$;`;
}

/**
 * Settles (at actual_units, at_ms) or releases (both null) an open or expired charge; an expired
 * one's estimated spend is taken back. Answers the store's outcome. A totals row keeps the spend of
 * its latest day itself (`day_ms`, `day_spent`), so a settle on that day changes one row per scope;
 * a later day first moves the kept one into the day sums, an earlier one goes there directly.
 *
 * @example
 * const sql = budgetCloseFunction(postgresNames({ schema: 'billing' }));
 */
export function budgetCloseFunction(names: PostgresNames): string {
  const charges = names.qualify('budget_charges');
  const totals = names.qualify('budget_totals');
  const day = names.qualify('budget_day');
  const settledUnits = `CASE WHEN closed_state = 'settled' THEN actual_units ELSE 0 END`;
  const amounts = `reserved = t.reserved - CASE WHEN found_charge.state = 'reserved' THEN found_charge.amount ELSE 0 END,
      spent = t.spent + coalesce(actual_units, 0) - coalesce(found_charge.spent, 0)`;
  const ofScope = 't.scope = scope_name AND t.currency = found_charge.currency';
  return `
CREATE OR REPLACE FUNCTION ${names.qualify('budget_close')}(charge_id text, closed_state text, actual_units numeric, at_ms bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  found_charge record;
  closed_scopes text[];
  scope_name text;
  settled_day bigint := ${day}(at_ms);
  kept_day bigint;
  kept_spent numeric;
BEGIN
  -- The usual case, an open reservation: closed (and locked) in one statement.
  UPDATE ${charges} AS c SET state = closed_state, spent = actual_units, spent_ms = at_ms
  WHERE c.id = charge_id AND c.state = 'reserved'
  RETURNING 'reserved'::text AS state, NULL::numeric AS spent, NULL::bigint AS spent_ms, c.scopes, c.currency,
    c.amount, NULL::text AS expiry_recorded_by INTO found_charge;
  IF FOUND THEN
    IF cardinality(found_charge.scopes) = 1 THEN
      -- Of one scope, settled on the day its totals row keeps (or released): that row, and done.
      UPDATE ${totals} AS t SET reserved = t.reserved - found_charge.amount,
        spent = t.spent + coalesce(actual_units, 0), day_spent = t.day_spent + ${settledUnits}
      WHERE t.scope = found_charge.scopes[1] AND t.currency = found_charge.currency
        AND (closed_state <> 'settled' OR t.day_ms = settled_day);
      IF FOUND THEN RETURN closed_state; END IF;
    END IF;
  ELSE
    SELECT c.state::text, c.spent, c.spent_ms, c.scopes, c.currency, c.amount, c.expiry_recorded_by INTO found_charge
    FROM ${charges} AS c WHERE c.id = charge_id FOR UPDATE;
    IF NOT FOUND THEN RETURN 'unknown'; END IF;
    IF found_charge.state NOT IN ('reserved', 'expired') THEN RETURN 'closed'; END IF;
    UPDATE ${charges} AS c SET state = closed_state, spent = actual_units, spent_ms = at_ms WHERE c.id = charge_id;
  END IF;
  ${sortScopes('closed_scopes', 'found_charge.scopes')}
  -- An open charge frees what it held; an expired one's estimate, spent at its expiry, gives way.
  FOREACH scope_name IN ARRAY closed_scopes LOOP
    UPDATE ${totals} AS t SET ${amounts}, day_spent = t.day_spent + ${settledUnits}
    WHERE ${ofScope} AND (closed_state <> 'settled' OR t.day_ms = settled_day);
    IF NOT FOUND THEN
      INSERT INTO ${totals} (scope, currency, spent, reserved) VALUES (scope_name, found_charge.currency, 0, 0)
      ON CONFLICT (scope, currency) DO NOTHING;
      SELECT t.day_ms, t.day_spent INTO kept_day, kept_spent FROM ${totals} AS t WHERE ${ofScope} FOR UPDATE;
      IF closed_state = 'settled' AND settled_day > kept_day THEN
        IF kept_spent <> 0 THEN ${addToDay(names, 'scope_name', 'found_charge.currency', 'kept_day', 'kept_spent')}
        END IF;
        UPDATE ${totals} AS t SET ${amounts}, day_ms = settled_day, day_spent = actual_units WHERE ${ofScope};
      ELSE
        UPDATE ${totals} AS t SET ${amounts} WHERE ${ofScope};
        IF closed_state = 'settled' THEN
          ${addToDay(names, 'scope_name', 'found_charge.currency', 'settled_day', 'actual_units')}
        END IF;
      END IF;
    END IF;
    IF found_charge.state = 'expired' THEN
      ${addToDay(names, 'scope_name', 'found_charge.currency', `${day}(found_charge.spent_ms)`, '-found_charge.spent')}
    END IF;
  END LOOP;
  RETURN closed_state || CASE WHEN found_charge.expiry_recorded_by IS NULL THEN '' ELSE '-after-expiry' END;
END $$;`;
}
