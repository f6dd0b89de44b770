import type { PostgresNames } from './postgres-connection.js';

/**
 * Version 3 of the budget schema: running totals per scope and currency, so a reserve decides in
 * O(1) and holds its hot row only briefly.
 *
 * - `<prefix>budget_totals` keeps, per scope and currency, all spend ever and what open
 *   reservations hold. A reserve adds its amount there (one UPDATE per scope, in scope order) and
 *   reads the tally from the row it changed; a settle, release or sweep moves amounts between the
 *   two columns. That row is the lock: whatever changes a scope's spend locks it first, so a
 *   reserve that holds it reads a state the budget was in. The lock row of versions 1 and 2 goes.
 * - The work that needs no lock comes before it: a reserve inserts its charge first (and deletes it
 *   again if refused), a settle closes its charge first; only the totals and day rows, then the
 *   commit, are held.
 * - Locks are taken charge first, then totals (in scope order), then day rows of a scope whose
 *   totals row is held, by every function, so they never wait for each other in a circle.
 * - The idempotency key index holds only charges that have a key.
 *
 * Upgrading writes the totals from the day sums and open charges, with v2 writers shut out.
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
  // Adds `units` to one scope's day row; the totals row of that scope is already held.
  const addDay = (scope: string, currency: string, dayMs: string, units: string) => `
    UPDATE ${days} AS d SET spent = d.spent + ${units}
    WHERE d.scope = ${scope} AND d.currency = ${currency} AND d.day_ms = ${dayMs};
    IF NOT FOUND THEN
      INSERT INTO ${days} AS d (scope, currency, day_ms, spent) VALUES (${scope}, ${currency}, ${dayMs}, ${units})
      ON CONFLICT (scope, currency, day_ms) DO UPDATE SET spent = d.spent + excluded.spent;
    END IF;`;
  // Scopes in lock order (one needs no sorting).
  const sorted = (scopes: string) =>
    `CASE WHEN cardinality(${scopes}) > 1 THEN ARRAY(SELECT DISTINCT s FROM unnest(${scopes}) AS s ORDER BY 1) ELSE ${scopes} END`;
  return `
LOCK TABLE ${charges}, ${days} IN EXCLUSIVE MODE;

CREATE TABLE ${totals} (
  scope text NOT NULL,
  currency text NOT NULL,
  spent numeric(40, 0) NOT NULL,
  reserved numeric(40, 0) NOT NULL,
  PRIMARY KEY (scope, currency)
) WITH (fillfactor = 50);

INSERT INTO ${totals} (scope, currency, spent, reserved)
SELECT scope, currency, sum(spent), sum(reserved) FROM (
  SELECT d.scope, d.currency, d.spent, 0::numeric AS reserved FROM ${days} AS d
  UNION ALL
  SELECT s.scope, c.currency, 0, c.amount FROM ${charges} AS c CROSS JOIN LATERAL unnest(c.scopes) AS s(scope)
  WHERE c.state = 'reserved'
) AS amounts GROUP BY scope, currency;

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

-- Spend settled or expired since since_ms: whole days from their sums, the partial one by charge.
CREATE FUNCTION ${names.qualify('budget_spent_since')}(spent_scope text, spent_currency text, since_ms bigint)
RETURNS numeric LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN coalesce((SELECT sum(d.spent) FROM ${days} AS d
      WHERE d.scope = spent_scope AND d.currency = spent_currency AND d.day_ms >= ${ceilDay}(since_ms)), 0)
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

${reserveFunction(names, sorted)}

-- Settles (at actual_units, at_ms) or releases (both null) an open or expired charge; an expired
-- one's estimated spend is taken back. Answers the store's outcome.
CREATE OR REPLACE FUNCTION ${names.qualify('budget_close')}(charge_id text, closed_state text, actual_units numeric, at_ms bigint)
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
  found_charge record;
  scope_name text;
  settled_day bigint := ${day}(at_ms);
BEGIN
  -- The usual case, an open reservation: closed (and locked) in one statement.
  UPDATE ${charges} AS c SET state = closed_state, spent = actual_units, spent_ms = at_ms
  WHERE c.id = charge_id AND c.state = 'reserved'
  RETURNING 'reserved'::text AS state, NULL::numeric AS spent, NULL::bigint AS spent_ms, c.scopes, c.currency,
    c.amount, NULL::text AS expiry_recorded_by INTO found_charge;
  IF NOT FOUND THEN
    SELECT c.state, c.spent, c.spent_ms, c.scopes, c.currency, c.amount, c.expiry_recorded_by INTO found_charge
    FROM ${charges} AS c WHERE c.id = charge_id FOR UPDATE;
    IF NOT FOUND THEN RETURN 'unknown'; END IF;
    IF found_charge.state NOT IN ('reserved', 'expired') THEN RETURN 'closed'; END IF;
    UPDATE ${charges} AS c SET state = closed_state, spent = actual_units, spent_ms = at_ms WHERE c.id = charge_id;
  END IF;
  -- An open charge frees what it held; an expired one's estimate, spent at its expiry, gives way.
  FOREACH scope_name IN ARRAY ${sorted('found_charge.scopes')} LOOP
    UPDATE ${totals} AS t SET
      reserved = t.reserved - CASE WHEN found_charge.state = 'reserved' THEN found_charge.amount ELSE 0 END,
      spent = t.spent + coalesce(actual_units, 0) - coalesce(found_charge.spent, 0)
    WHERE t.scope = scope_name AND t.currency = found_charge.currency;
    IF found_charge.state = 'expired' THEN
      ${addDay('scope_name', 'found_charge.currency', `${day}(found_charge.spent_ms)`, '-found_charge.spent')}
    END IF;
    IF closed_state = 'settled' THEN ${addDay('scope_name', 'found_charge.currency', 'settled_day', 'actual_units')}
    END IF;
  END LOOP;
  RETURN closed_state || CASE WHEN found_charge.expiry_recorded_by IS NULL THEN '' ELSE '-after-expiry' END;
END $$;

DROP FUNCTION ${names.qualify('budget_add_spend')}(text[], text, bigint, numeric);
DROP TABLE ${names.qualify('budget_lock')};
`;
}

function reserveFunction(names: PostgresNames, sorted: (scopes: string) => string): string {
  const charges = names.qualify('budget_charges');
  const totals = names.qualify('budget_totals');
  return `
-- Records the charge, then adds it to each scope's totals (in scope order, so also locking them)
-- and decides every check from there; a refused charge is taken back out. Checks on scopes the
-- charge does not count against lock their totals too, unchanged.
CREATE OR REPLACE FUNCTION ${names.qualify('budget_reserve')}(
  charge_id text, charge_scopes text[], charge_currency text, charge_amount numeric, reserved_at_ms bigint,
  charge_owner text, lease_expires_ms bigint, charge_idempotency_key text, charge_model text,
  charge_provider text, now_ms bigint,
  check_scopes text[], check_since_ms bigint[], check_limits numeric[], check_hard boolean[],
  OUT accepted boolean, OUT tally_spent text[], OUT tally_reserved text[], OUT expiries_waiting boolean)
LANGUAGE plpgsql AS $$
DECLARE
  own_scopes text[] := ${sorted('charge_scopes')};
  locked_scopes text[] := own_scopes;
  scope_name text;
  held numeric;
  row_spent numeric;
  row_reserved numeric;
  scope_spent numeric[] := '{}';
  scope_reserved numeric[] := '{}';
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
  IF NOT (check_scopes <@ own_scopes) THEN locked_scopes := ${sorted('own_scopes || check_scopes')}; END IF;
  INSERT INTO ${charges}
    (id, scopes, currency, amount, state, reserved_ms, owner, expires_ms, idempotency_key, model, provider)
  VALUES (charge_id, own_scopes, charge_currency, charge_amount, 'reserved', reserved_at_ms, charge_owner,
    lease_expires_ms, charge_idempotency_key, charge_model, charge_provider);
  FOREACH scope_name IN ARRAY locked_scopes LOOP
    held := CASE WHEN scope_name = ANY (own_scopes) THEN charge_amount ELSE 0 END;
    LOOP
      UPDATE ${totals} AS t SET reserved = t.reserved + held
      WHERE t.scope = scope_name AND t.currency = charge_currency
      RETURNING t.spent, t.reserved - held INTO row_spent, row_reserved;
      EXIT WHEN FOUND;
      INSERT INTO ${totals} (scope, currency, spent, reserved) VALUES (scope_name, charge_currency, 0, 0)
      ON CONFLICT (scope, currency) DO NOTHING;
    END LOOP;
    scope_spent := scope_spent || row_spent;
    scope_reserved := scope_reserved || row_reserved;
  END LOOP;
  accepted := true;
  tally_spent := '{}';
  tally_reserved := '{}';
  FOR check_index IN 1 .. coalesce(array_length(check_scopes, 1), 0) LOOP
    scope_index := array_position(locked_scopes, check_scopes[check_index]);
    window_spent := CASE WHEN check_since_ms[check_index] IS NULL THEN scope_spent[scope_index]
      ELSE ${names.qualify('budget_spent_since')}(check_scopes[check_index], charge_currency, check_since_ms[check_index]) END;
    tally_spent := tally_spent || window_spent::text;
    tally_reserved := tally_reserved || scope_reserved[scope_index]::text;
    IF check_hard[check_index] AND window_spent + scope_reserved[scope_index] + charge_amount > check_limits[check_index] THEN
      accepted := false;
    END IF;
  END LOOP;
  IF NOT accepted THEN
    DELETE FROM ${charges} AS c WHERE c.id = charge_id;
    UPDATE ${totals} AS t SET reserved = t.reserved - charge_amount
    WHERE t.currency = charge_currency AND t.scope = ANY (own_scopes);
  END IF;
END $$;`;
}
