import { ValidationError } from '../errors/index.js';

/** How a model name found its card. */
export type MatchKind = 'id' | 'alias' | 'pattern';

interface PatternEntry<Value> {
  pattern: RegExp;
  /** Literal characters in the glob: the more, the more specific. */
  specificity: number;
  order: number;
  value: Value;
}

/**
 * Finds a value by model name: exact names (ids and aliases) first, then globs, the most
 * specific glob winning. Names compare case-insensitively: no provider tells models apart by case.
 */
export class ModelNameMatcher<Value> {
  private readonly exact = new Map<string, { value: Value; kind: MatchKind }>();
  private readonly patterns: PatternEntry<Value>[] = [];

  /** Adds an exact name; a name already taken is a configuration error, never a silent override. */
  addName(name: string, value: Value, kind: 'id' | 'alias', owner: string): void {
    const key = name.toLowerCase();
    const existing = this.exact.get(key);
    if (existing !== undefined) {
      throw new ValidationError(
        `Model name "${name}" (of ${owner}) is declared twice in the price catalog.`,
        {
          issues: [{ path: owner, message: `duplicate model name "${name}"` }],
          subject: 'request',
        },
      );
    }
    this.exact.set(key, { value, kind });
  }

  addPattern(glob: string, value: Value): void {
    this.patterns.push({
      pattern: globToRegExp(glob),
      specificity: glob.replace(/[*?]/g, '').length,
      order: this.patterns.length,
      value,
    });
  }

  has(name: string): boolean {
    return this.exact.has(name.toLowerCase());
  }

  match(name: string): { value: Value; kind: MatchKind } | undefined {
    const exact = this.exact.get(name.toLowerCase());
    if (exact !== undefined) return exact;
    let best: PatternEntry<Value> | undefined;
    for (const entry of this.patterns) {
      if (!entry.pattern.test(name)) continue;
      if (!best || entry.specificity > best.specificity) best = entry;
    }
    return best && { value: best.value, kind: 'pattern' };
  }
}

function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((character) => {
      if (character === '*') return '.*';
      if (character === '?') return '.';
      return character.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${body}$`, 'is');
}
