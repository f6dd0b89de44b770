/**
 * Model names: a letter or digit, then letters, digits, `.`, `_`, `-` or `:` (so never `..`, never
 * a separator); `:` for fine-tuned models' `ft:<base>:<org>:<suffix>:<id>`, up to 192 characters.
 */
const modelNamePattern = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,191}$/;

/** Triton versions are positive integers in decimal. */
const versionPattern = /^[1-9][0-9]{0,17}$/;

/**
 * @example
 * isValidModelName('my-model'); // true
 * isValidModelName('ft:ref-classify:key_0123::5f2a7c91'); // true
 * isValidModelName('../etc'); // false
 */
export function isValidModelName(name: string): boolean {
  return modelNamePattern.test(name);
}

/**
 * @example
 * isValidModelVersion('3'); // true
 * isValidModelVersion('latest'); // false
 */
export function isValidModelVersion(version: string): boolean {
  return versionPattern.test(version);
}

/** Orders version strings numerically (`10` after `9`), without losing precision on long ones. */
export function compareVersions(left: string, right: string): number {
  return left.length - right.length || (left < right ? -1 : left > right ? 1 : 0);
}
