import {
  anyArray,
  anyLiterals,
  anyNumber,
  anyObject,
  anyString,
  arrayItemLimit,
  canAddKey,
  doneStack,
  exponentDigitLimit,
  type Frame,
  isDigit,
  missingRequired,
  type NumberPhase,
  numberDigitLimit,
  type Stack,
  stringLimitOf,
  unusedKeyTexts,
  valueNodeOf,
} from './json-frames.js';
import { firstCharacters, type SchemaNode } from './schema-nodes.js';

/*
 * A pushdown matcher over characters (Unicode code points): `advance` says whether one more
 * character keeps the text a prefix of a JSON value the schema accepts, and returns the new
 * state. No whitespace is accepted outside strings, so the output is compact JSON.
 */

const quote = 34;
const backslash = 92;
const escapable = new Set([...'"\\/bfnrtu'].map((character) => character.codePointAt(0)!));
const hexDigits = new Set([...'0123456789abcdefABCDEF'].map((character) => character.codePointAt(0)!));

/** The state before the first character of a value of `root`. */
export function initialStack(root: SchemaNode): Stack {
  return { frame: { t: 'value', node: root }, parent: { frame: { t: 'root' }, parent: undefined } };
}

/** The stack after the top frame's value finished (`key` when it was an object's key). */
export function completeChild(parent: Stack | undefined, key?: string): Stack | undefined {
  if (parent === undefined) return undefined;
  const frame = parent.frame;
  if (frame.t === 'root') return doneStack;
  if (frame.t === 'obj') {
    if (frame.phase === 'key') {
      const pending = valueNodeOf(frame.node, key!);
      return {
        frame: { ...frame, phase: 'colon', seen: [...frame.seen, key!], pending },
        parent: parent.parent,
      };
    }
    return { frame: { ...frame, phase: 'afterValue', pending: undefined }, parent: parent.parent };
  }
  if (frame.t === 'arr') {
    return { frame: { ...frame, phase: 'afterValue', count: frame.count + 1 }, parent: parent.parent };
  }
  return undefined;
}

function push(frame: Frame, parent: Stack | undefined): Stack {
  return { frame, parent };
}

/** Starts a value of `node` with its first character. */
function startValue(node: SchemaNode, code: number, parent: Stack | undefined): Stack | undefined {
  const character = String.fromCodePoint(code);
  switch (node.kind) {
    case 'any':
      if (code === 123)
        return push({ t: 'obj', node: anyObject, phase: 'open', seen: [], pending: undefined }, parent);
      if (code === 91) return push({ t: 'arr', node: anyArray, phase: 'open', count: 0 }, parent);
      if (code === quote)
        return push({ t: 'str', node: anyString, length: 0, escape: 0, raw: undefined }, parent);
      if (code === 45 || isDigit(code)) return startValue(anyNumber, code, parent);
      return advanceLiteral({ t: 'lit', id: 'any', texts: anyLiterals, pos: 0, isKey: false }, code, parent);
    case 'object':
      return code === 123
        ? push({ t: 'obj', node, phase: 'open', seen: [], pending: undefined }, parent)
        : undefined;
    case 'array':
      return code === 91 ? push({ t: 'arr', node, phase: 'open', count: 0 }, parent) : undefined;
    case 'string':
      return code === quote
        ? push({ t: 'str', node, length: 0, escape: 0, raw: undefined }, parent)
        : undefined;
    case 'number':
      if (code === 45 && !node.nonNegative)
        return push({ t: 'num', node, phase: 'minus', digits: 0 }, parent);
      if (!isDigit(code)) return undefined;
      return push({ t: 'num', node, phase: code === 48 ? 'zero' : 'int', digits: 1 }, parent);
    case 'literal':
      return advanceLiteral(
        { t: 'lit', id: String(node.id), texts: node.texts, pos: 0, isKey: false },
        code,
        parent,
      );
    case 'union': {
      const option = node.options.find((candidate) => firstCharacters(candidate).includes(character));
      return option === undefined ? undefined : startValue(option, code, parent);
    }
  }
}

function advanceLiteral(frame: Extract<Frame, { t: 'lit' }>, code: number, parent: Stack | undefined) {
  const character = String.fromCodePoint(code);
  const texts = frame.texts.filter((text) => text[frame.pos] === character);
  if (texts.length === 0) {
    if (frame.isKey || !frame.texts.some((text) => text.length === frame.pos)) return undefined;
    const after = completeChild(parent);
    return after === undefined ? undefined : advance(after, code);
  }
  const next = { ...frame, texts, pos: frame.pos + 1 };
  const complete = texts.find((text) => text.length === next.pos);
  // A finished text no other candidate extends ends the value now (a string's closing quote always does).
  if (complete !== undefined && texts.length === 1)
    return completeChild(parent, frame.isKey ? (JSON.parse(complete) as string) : undefined);
  return push(next, parent);
}

function advanceString(frame: Extract<Frame, { t: 'str' }>, code: number, parent: Stack | undefined) {
  const raw = frame.raw === undefined ? undefined : frame.raw + String.fromCodePoint(code);
  const maxLength = stringLimitOf(frame.node);
  if (frame.escape === 1) {
    if (!escapable.has(code)) return undefined;
    const state = code === 117 ? 2 : 0;
    return push(
      { ...frame, escape: state, raw, length: state === 0 ? frame.length + 1 : frame.length },
      parent,
    );
  }
  if (frame.escape > 1) {
    if (!hexDigits.has(code)) return undefined;
    const state = frame.escape === 5 ? 0 : frame.escape + 1;
    return push(
      { ...frame, escape: state, raw, length: state === 0 ? frame.length + 1 : frame.length },
      parent,
    );
  }
  if (code === quote) {
    if (frame.length < (frame.node?.minLength ?? 0)) return undefined;
    if (raw === undefined) return completeChild(parent);
    const key = JSON.parse(raw) as string;
    const owner = parent?.frame;
    if (owner?.t === 'obj' && owner.seen.includes(key)) return undefined;
    return completeChild(parent, key);
  }
  if (code < 0x20 || frame.length >= maxLength) return undefined;
  // Outside the BMP a character is two UTF-16 units: bounded strings keep to one unit per character.
  if (code > 0xffff && frame.node?.maxLength !== undefined) return undefined;
  if (code === backslash) return push({ ...frame, escape: 1, raw }, parent);
  return push({ ...frame, length: frame.length + 1, raw }, parent);
}

function nextNumberPhase(frame: Extract<Frame, { t: 'num' }>, code: number): Frame | undefined {
  const { phase, node } = frame;
  const digit = isDigit(code);
  const limit = Math.min(node.maxDigits ?? numberDigitLimit, numberDigitLimit);
  const to = (next: NumberPhase, digits: number): Frame => ({ ...frame, phase: next, digits });
  if (phase === 'minus') return digit ? to(code === 48 ? 'zero' : 'int', 1) : undefined;
  if (phase === 'int' && digit) return frame.digits < limit ? to('int', frame.digits + 1) : undefined;
  if ((phase === 'dot' || phase === 'frac') && digit) return to('frac', 0);
  if ((phase === 'exp' || phase === 'expSign') && digit) return to('expDigits', 1);
  if (phase === 'expDigits' && digit)
    return frame.digits < exponentDigitLimit ? to('expDigits', frame.digits + 1) : undefined;
  if (node.integer) return undefined;
  if ((phase === 'zero' || phase === 'int') && code === 46) return to('dot', 0);
  if ((phase === 'zero' || phase === 'int' || phase === 'frac') && (code === 101 || code === 69))
    return to('exp', 0);
  if (phase === 'exp' && (code === 43 || code === 45)) return to('expSign', 0);
  return undefined;
}

export function numberComplete(phase: NumberPhase): boolean {
  return phase === 'zero' || phase === 'int' || phase === 'frac' || phase === 'expDigits';
}

function advanceObject(frame: Extract<Frame, { t: 'obj' }>, code: number, parent: Stack | undefined) {
  const self = (changes: Partial<typeof frame>): Stack => push({ ...frame, ...changes }, parent);
  switch (frame.phase) {
    case 'open':
    case 'afterComma': {
      if (code === 125 && frame.phase === 'open' && missingRequired(frame).length === 0)
        return completeChild(parent);
      if (code !== quote || !canAddKey(frame)) return undefined;
      const owner = self({ phase: 'key' });
      if (frame.node.additional !== false)
        return push({ t: 'str', node: undefined, length: 0, escape: 0, raw: '"' }, owner);
      return advanceLiteral(
        { t: 'lit', id: `k${frame.node.id}`, texts: unusedKeyTexts(frame), pos: 0, isKey: true },
        code,
        owner,
      );
    }
    case 'colon':
      return code === 58 ? push({ t: 'value', node: frame.pending! }, self({ phase: 'value' })) : undefined;
    case 'afterValue':
      if (code === 44 && canAddKey(frame)) return self({ phase: 'afterComma' });
      if (code === 125 && missingRequired(frame).length === 0) return completeChild(parent);
      return undefined;
    default:
      return undefined;
  }
}

function advanceArray(frame: Extract<Frame, { t: 'arr' }>, code: number, parent: Stack | undefined) {
  const { minItems } = frame.node;
  const maxItems = frame.node.maxItems ?? Math.max(arrayItemLimit, minItems);
  const item = () => startValue(frame.node.items, code, push({ ...frame, phase: 'value' }, parent));
  switch (frame.phase) {
    case 'open':
      if (code === 93 && minItems === 0) return completeChild(parent);
      return maxItems === 0 ? undefined : item();
    case 'afterComma':
      return item();
    case 'afterValue':
      if (code === 44 && frame.count < maxItems) return push({ ...frame, phase: 'afterComma' }, parent);
      if (code === 93 && frame.count >= minItems) return completeChild(parent);
      return undefined;
    default:
      return undefined;
  }
}

/** The state after one more character, or undefined when it cannot continue a valid value. */
export function advance(stack: Stack, code: number): Stack | undefined {
  const { frame, parent } = stack;
  switch (frame.t) {
    case 'root':
    case 'done':
      return undefined;
    case 'value':
      return startValue(frame.node, code, parent);
    case 'str':
      return advanceString(frame, code, parent);
    case 'lit':
      return advanceLiteral(frame, code, parent);
    case 'num': {
      const next = nextNumberPhase(frame, code);
      if (next !== undefined) return push(next, parent);
      if (!numberComplete(frame.phase)) return undefined;
      const after = completeChild(parent);
      return after === undefined ? undefined : advance(after, code);
    }
    case 'obj':
      return advanceObject(frame, code, parent);
    case 'arr':
      return advanceArray(frame, code, parent);
  }
}

/** The state after `text`, or undefined when some character of it cannot follow. */
export function advanceText(stack: Stack, text: string): Stack | undefined {
  let current: Stack | undefined = stack;
  for (const character of text) {
    current = advance(current, character.codePointAt(0)!);
    if (current === undefined) return undefined;
  }
  return current;
}
