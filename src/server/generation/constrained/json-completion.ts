import { type Frame, missingRequired, type Stack } from './json-frames.js';
import { completeChild, numberComplete } from './json-prefix-matcher.js';
import { paddingCharacter, shortestOf, shortestValue } from './schema-nodes.js';

function member(key: string, frame: Extract<Frame, { t: 'obj' }>): string {
  const node = frame.node.properties.get(key);
  const value = node ?? (frame.node.additional === false ? undefined : frame.node.additional);
  return `${JSON.stringify(key)}:${shortestValue(value!)}`;
}

/** A key an open object has not used yet: the shortest of "", "a", "aa", ... */
function freshKey(seen: readonly string[]): string {
  let key = '';
  while (seen.includes(key)) key += paddingCharacter;
  return key;
}

/** The text that finishes the top frame, and the key it names when it is an object's key. */
function finishTop(frame: Frame, parent: Frame | undefined): { text: string; key?: string | undefined } {
  switch (frame.t) {
    case 'root':
    case 'done':
      return { text: '' };
    case 'value':
      return { text: shortestValue(frame.node) };
    case 'num':
      return { text: numberComplete(frame.phase) ? '' : '0' };
    case 'lit': {
      const text = shortestOf(frame.texts.filter((candidate) => candidate.length >= frame.pos));
      return { text: text.slice(frame.pos), key: frame.isKey ? (JSON.parse(text) as string) : undefined };
    }
    case 'str': {
      let text = frame.escape === 1 ? 'n' : frame.escape > 1 ? '0'.repeat(6 - frame.escape) : '';
      const length = frame.length + (frame.escape > 0 ? 1 : 0);
      text += paddingCharacter.repeat(Math.max(0, (frame.node?.minLength ?? 0) - length));
      if (frame.raw === undefined) return { text: `${text}"` };
      // An open object's key: pad it until it is one the object has not used.
      const seen = parent?.t === 'obj' ? parent.seen : [];
      while (seen.includes(JSON.parse(`${frame.raw + text}"`) as string)) text += paddingCharacter;
      return { text: `${text}"`, key: JSON.parse(`${frame.raw + text}"`) as string };
    }
    case 'obj':
      return { text: finishObject(frame) };
    case 'arr': {
      const item = shortestValue(frame.node.items);
      const missing = Math.max(0, frame.node.minItems - frame.count);
      if (frame.phase === 'afterComma')
        return { text: `${item}${`,${item}`.repeat(Math.max(0, missing - 1))}]` };
      if (frame.phase === 'open') return { text: `${Array(missing).fill(item).join(',')}]` };
      return { text: `${`,${item}`.repeat(missing)}]` };
    }
  }
}

function finishObject(frame: Extract<Frame, { t: 'obj' }>): string {
  const missing = missingRequired(frame).map((key) => member(key, frame));
  switch (frame.phase) {
    case 'open':
      return `${missing.join(',')}}`;
    case 'afterValue':
      return `${missing.map((text) => `,${text}`).join('')}}`;
    case 'colon': {
      const rest = missingRequired(frame).map((key) => `,${member(key, frame)}`);
      return `:${shortestValue(frame.pending!)}${rest.join('')}}`;
    }
    default: {
      if (missing.length > 0) return `${missing.join(',')}}`;
      const unused = [...frame.node.properties.keys()].filter((key) => !frame.seen.includes(key));
      const key =
        frame.node.additional === false
          ? shortestOf(unused.map((name) => JSON.stringify(name)))
          : JSON.stringify(freshKey(frame.seen));
      return `${member(JSON.parse(key) as string, frame)}}`;
    }
  }
}

/**
 * The shortest text that turns the matched prefix into a complete value (empty once it is
 * complete). Forced completions write it when the token budget runs low.
 *
 * @example
 * shortestCompletion(advanceText(initialStack(root), '{"a":[1')!); // ']}' when "a" is the only required key
 */
export function shortestCompletion(stack: Stack): string {
  let text = '';
  let current: Stack | undefined = stack;
  while (current !== undefined && current.frame.t !== 'done') {
    const finished = finishTop(current.frame, current.parent?.frame);
    text += finished.text;
    current = completeChild(current.parent, finished.key);
  }
  return text;
}
