import type { ArrayNode, NumberNode, ObjectNode, SchemaNode, StringNode } from './schema-nodes.js';

/*
 * The frames of the JSON prefix matcher's stack. Frames are immutable: advancing by a
 * character builds new frames, so a state can be shared by every branch of a vocabulary walk.
 */

export type NumberPhase = 'minus' | 'zero' | 'int' | 'dot' | 'frac' | 'exp' | 'expSign' | 'expDigits';

export type Frame =
  | { t: 'root' }
  | { t: 'done' }
  /** A value of `node` is expected; its first character picks the concrete frame. */
  | { t: 'value'; node: SchemaNode }
  /** A string; `escape` is 0, 1 right after a backslash, 2..5 inside `\uXXXX`. `raw` is an open object's key so far. */
  | { t: 'str'; node: StringNode | undefined; length: number; escape: number; raw: string | undefined }
  /** One of several exact texts (enum, const, true/false/null, or a closed object's key), `pos` characters in. */
  | { t: 'lit'; id: string; texts: readonly string[]; pos: number; isKey: boolean }
  | { t: 'num'; node: NumberNode; phase: NumberPhase; digits: number }
  | {
      t: 'obj';
      node: ObjectNode;
      phase: 'open' | 'key' | 'colon' | 'value' | 'afterValue' | 'afterComma';
      seen: readonly string[];
      pending: SchemaNode | undefined;
    }
  | { t: 'arr'; node: ArrayNode; phase: 'open' | 'value' | 'afterValue' | 'afterComma'; count: number };

/** A stack of frames, the top first. */
export interface Stack {
  frame: Frame;
  parent: Stack | undefined;
}

export const doneStack: Stack = { frame: { t: 'done' }, parent: undefined };

/** What a value that is not described further (`{}`, json_object's values) may be. */
export const anyNode: SchemaNode = { id: -1, kind: 'any' };
export const anyObject: ObjectNode = {
  id: -2,
  kind: 'object',
  properties: new Map(),
  required: [],
  additional: anyNode,
};
export const anyArray: ArrayNode = {
  id: -3,
  kind: 'array',
  items: anyNode,
  minItems: 0,
  maxItems: undefined,
};
export const anyString: StringNode = { id: -4, kind: 'string', minLength: 0, maxLength: undefined };
export const anyNumber: NumberNode = {
  id: -5,
  kind: 'number',
  integer: false,
  nonNegative: false,
  maxDigits: undefined,
};
export const anyLiterals: readonly string[] = ['true', 'false', 'null'];

/** Strings without a maxLength end by this many characters: the model would ramble to the end of its budget. */
export const stringLengthLimit = 48;
/** Arrays without a maxItems end by this many items, for the same reason. */
export const arrayItemLimit = 8;
export function stringLimitOf(node: StringNode | undefined): number {
  return node?.maxLength ?? Math.max(stringLengthLimit, node?.minLength ?? 0);
}

/** Further than this from a string's limit, the limit cannot matter to the next token (no token is this long). */
const limitHorizon = 32;

/** Numbers keep at most this many digits before the point (beyond, they would lose precision or overflow). */
export const numberDigitLimit = 15;
/** Exponents keep at most two digits, so no number reaches Infinity. */
export const exponentDigitLimit = 2;

export function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

export function missingRequired(frame: Extract<Frame, { t: 'obj' }>): string[] {
  return frame.node.required.filter((key) => !frame.seen.includes(key));
}

/** Declared keys of a closed object that are still unused, as JSON texts. */
export function unusedKeyTexts(frame: Extract<Frame, { t: 'obj' }>): string[] {
  return [...frame.node.properties.keys()]
    .filter((key) => !frame.seen.includes(key))
    .map((key) => JSON.stringify(key));
}

export function canAddKey(frame: Extract<Frame, { t: 'obj' }>): boolean {
  return frame.node.additional !== false || frame.seen.length < frame.node.properties.size;
}

export function valueNodeOf(node: ObjectNode, key: string): SchemaNode {
  return node.properties.get(key) ?? (node.additional === false ? anyNode : node.additional);
}

/** A name for the state of a stack: two stacks with the same name accept the same continuations. */
export function stackName(stack: Stack): string {
  let name = '';
  for (let current: Stack | undefined = stack; current !== undefined; current = current.parent) {
    name += `${frameName(current.frame, current.parent?.frame)}|`;
  }
  return name;
}

/**
 * An open object's key so far matters to what may follow only when closing it could repeat a
 * key the object has (escapes can spell a key in other ways, so a key with one always counts).
 */
function keyName(raw: string | undefined, owner: Frame | undefined): string {
  if (raw === undefined) return '';
  const seen = owner?.t === 'obj' ? owner.seen : [];
  const risky = raw.includes('\\') || seen.some((key) => JSON.stringify(key).startsWith(raw));
  return risky ? raw : '';
}

function frameName(frame: Frame, parent: Frame | undefined): string {
  switch (frame.t) {
    case 'root':
    case 'done':
      return frame.t;
    case 'value':
      return `v${frame.node.id}`;
    case 'str': {
      const node = frame.node;
      const left = stringLimitOf(node) - frame.length;
      const short = Math.min(frame.length, node?.minLength ?? 0);
      return `s${node?.id ?? 'k'},${left > limitHorizon ? 'far' : left},${short},${frame.escape},${keyName(frame.raw, parent)}`;
    }
    case 'lit':
      return `l${frame.id},${frame.texts[0]!.slice(0, frame.pos)}`;
    case 'num':
      return `n${frame.node.id},${frame.phase},${frame.digits}`;
    case 'obj':
      return `o${frame.node.id},${frame.phase},${frame.seen.join('\u0000')},${frame.pending?.id ?? ''}`;
    case 'arr': {
      return `a${frame.node.id},${frame.phase},${frame.count}`;
    }
  }
}
