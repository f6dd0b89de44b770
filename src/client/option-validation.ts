import { z } from 'zod';
import { InvalidOptionError } from '../errors/index.js';

/** One option: its schema, what it accepts in words, and whether its value may be a secret. */
export interface OptionRule {
  readonly schema: z.ZodType;
  /** Ends "expected …" in the error message, e.g. `a whole number ≥ 0`. */
  readonly allowed: string;
  /** Never echo the value (an API key, a header value): only its kind is named. */
  readonly secret?: boolean;
}

export type OptionRules = Readonly<Record<string, OptionRule>>;

/** What is being checked, for the messages: `client option` at construction, `call option` per call. */
export type OptionSubject = 'client option' | 'call option';

/**
 * A zod object of `rules`, every field optional (undefined means the default). Strict for client
 * options, where an unknown key is a typo worth refusing (`baseUrl`); loose for call options,
 * which resources extend with their own (`version`, `outputs`).
 */
export function optionsSchema(rules: OptionRules, strict: boolean): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, rule] of Object.entries(rules)) shape[name] = rule.schema.optional();
  return strict ? z.strictObject(shape) : z.looseObject(shape);
}

/**
 * A schema of `T` (typed for callers, checked by `reason`): `reason` returns why a value is
 * refused, in words the error message adds after what is allowed, or undefined to accept it.
 *
 * @example
 * const budget = refusing<Budget>((value) => (hasMethods(value, ['reserve']) ? undefined : 'it lacks reserve'));
 */
export function refusing<T>(reason: (value: unknown) => string | undefined): z.ZodType<T> {
  return z.custom<T>().superRefine((value, context) => {
    const why = reason(value);
    if (why !== undefined) context.addIssue({ code: 'custom', message: why, params: { detail: true } });
  });
}

/** The methods of `names` that `value` lacks (all of them when it is not an object or function). */
export function missingMethods(value: unknown, names: readonly string[]): string[] {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return [...names];
  return names.filter((name) => typeof (value as Record<string, unknown>)[name] !== 'function');
}

/**
 * Throws an {@link InvalidOptionError} naming the first option of `value` that `schema` refuses,
 * what was given and what is allowed.
 *
 * @example
 * checkOptions(clientOptionsSchema, clientOptionRules, options, 'client option');
 */
export function checkOptions(
  schema: z.ZodType,
  rules: OptionRules,
  value: unknown,
  subject: OptionSubject,
): void {
  const result = schema.safeParse(value);
  if (result.success) return;
  // An unknown key first: a misspelt option is the root cause of what else looks wrong.
  const issues = [...result.error.issues].sort(
    (left, right) => Number(right.code === 'unrecognized_keys') - Number(left.code === 'unrecognized_keys'),
  );
  throw optionError(issues[0] as z.core.$ZodIssue, rules, value, subject);
}

function optionError(
  issue: z.core.$ZodIssue,
  rules: OptionRules,
  value: unknown,
  subject: OptionSubject,
): InvalidOptionError {
  const names = Object.keys(rules).sort((left, right) => left.localeCompare(right, 'en'));
  if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
    const unknown = issue.keys[0] ?? '';
    const near = nearestName(unknown, names);
    const hint = near === undefined ? `the ${subject}s are ${names.join(', ')}` : `did you mean \`${near}\`?`;
    return new InvalidOptionError(`Unknown ${subject} \`${unknown}\`: ${hint}`, {
      option: unknown,
      allowed: names.join(', '),
    });
  }
  const path = issue.path.map(String);
  const name = path[0];
  const rule = name === undefined ? undefined : rules[name];
  if (name === undefined || rule === undefined) {
    const allowed = `an object of ${subject}s (${names.join(', ')})`;
    return new InvalidOptionError(`The ${subject}s must be an object, got ${describeValue(value)}.`, {
      option: '',
      allowed,
    });
  }
  const option = path.join('.');
  if (issue.code === 'unrecognized_keys') {
    const fields = issue.keys.map((key) => `\`${key}\``).join(', ');
    return new InvalidOptionError(
      `Invalid ${subject} \`${option}\`: unknown field ${fields}; expected ${rule.allowed}.`,
      { option, allowed: rule.allowed },
    );
  }
  const given = describeValue(valueAt(value, path), rule.secret === true);
  // Only our own reasons add something (see `refusing`); zod's built-in messages repeat `expected`.
  const detail = issue.code === 'custom' && issue.params?.detail === true ? ` (${issue.message})` : '';
  return new InvalidOptionError(
    `Invalid ${subject} \`${option}\`: got ${given}; expected ${rule.allowed}${detail}.`,
    { option, allowed: rule.allowed },
  );
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** An option name that differs from `given` only in case, or by a few edits (two, three for long names). */
function nearestName(given: string, names: readonly string[]): string | undefined {
  const lower = given.toLowerCase();
  const sameLetters = names.find((name) => name.toLowerCase() === lower);
  if (sameLetters !== undefined) return sameLetters;
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(lower, name.toLowerCase());
    if (distance <= (name.length >= 8 ? 3 : 2) && (best === undefined || distance < best.distance))
      best = { name, distance };
  }
  return best?.name;
}

function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let row = 1; row <= left.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= right.length; column += 1) {
      const substitution = (previous[column - 1] as number) + (left[row - 1] === right[column - 1] ? 0 : 1);
      current[column] = Math.min(
        (previous[column] as number) + 1,
        (current[column - 1] as number) + 1,
        substitution,
      );
    }
    previous = current;
  }
  return previous[right.length] as number;
}

/**
 * A value as an error message names it: short, and for a secret only its kind.
 *
 * @example
 * describeValue({ limit: '1' }); // 'a plain object with keys "limit"'
 */
export function describeValue(value: unknown, secret = false): string {
  if (value === undefined || value === null) return String(value);
  switch (typeof value) {
    case 'string':
      if (secret) return `a string of ${value.length} characters`;
      return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
    case 'number':
    case 'boolean':
      return secret ? `a ${typeof value}` : String(value);
    case 'bigint':
      return secret ? 'a bigint' : `${value}n (a bigint)`;
    case 'function':
      return value.name === '' ? 'a function' : `a function (${value.name})`;
    case 'symbol':
      return 'a symbol';
  }
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Object.prototype || prototype === null) {
    const keys = Object.keys(value as object);
    if (keys.length === 0) return 'an empty object';
    const shown = keys.slice(0, 6).map((key) => JSON.stringify(key));
    return `a plain object with key${keys.length === 1 ? '' : 's'} ${shown.join(', ')}${keys.length > 6 ? ', …' : ''}`;
  }
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `an instance of ${name}` : 'an object';
}
