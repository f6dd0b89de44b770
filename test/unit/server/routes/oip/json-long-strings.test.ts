import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../../../src/server/http/http-error.js';
import { parseJsonBody } from '../../../../../src/server/http/request-body.js';
import { parseJsonKeepingLongStrings } from '../../../../../src/server/routes/oip/json-long-strings.js';

const minLength = 16;

/** The parsed value with every stand-in replaced by the text its bytes hold. */
function resolved(body: Buffer) {
  const parsed = parseJsonKeepingLongStrings(body, minLength);
  const stoodIn: string[] = [];
  const resolve = (value: unknown): unknown => {
    const range = parsed.rangeOf(value);
    if (range !== undefined) {
      const text = body.toString('utf8', range.start, range.end);
      stoodIn.push(text);
      return text;
    }
    if (Array.isArray(value)) return value.map(resolve);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, resolve(item)]));
    return value;
  };
  return { value: resolve(parsed.value), stoodIn };
}

function errorOf(parse: () => unknown): HttpError {
  try {
    parse();
  } catch (error) {
    return error as HttpError;
  }
  throw new Error('expected a parse error');
}

describe('parseJsonKeepingLongStrings', () => {
  it('reads bodies as JSON.parse does, leaving only long literal string values in the body', () => {
    const long = 'A'.repeat(40);
    const cases: unknown[] = [
      { parameters: { config: '{}', 'file:1/model.onnx': long } },
      {
        [`key-${long}`]: long,
        nested: [long, { deep: `${long}é€😀` }],
        short: 'x',
        n: 1.5,
        t: true,
        z: null,
      },
      { escaped: `${long}"quoted" \\ back\nline`, quote: `${long}\\`, after: long },
      [long, '', 'short', `${long}\t`],
    ];
    for (const value of cases) {
      const body = Buffer.from(JSON.stringify(value, null, 1));
      expect(resolved(body).value).toEqual(JSON.parse(body.toString('utf8')));
    }
  });

  it('stands in for long values only: not keys, short strings, or strings JSON must unescape', () => {
    const long = 'B'.repeat(minLength);
    const body = Buffer.from(
      JSON.stringify({ [long]: 'short', value: long, escaped: `${long}\\n`, tail: `${long}x` }),
    );
    expect(resolved(body).stoodIn).toEqual([long, `${long}x`]);
  });

  it('finds an escape or a control character at any offset of a long string', () => {
    for (let at = 0; at < 44; at += 1) {
      // The key's length moves the string's start through each offset within a 4-byte word.
      const jsonOf = (content: string) => Buffer.from(`{"${'k'.repeat(at % 4)}": "${content}"}`);
      const around = (middle: string) => `${'E'.repeat(at)}${middle}${'E'.repeat(44 - at)}`;
      const escaped = jsonOf(around('\\n'));
      expect(resolved(escaped).stoodIn, `escape at ${at}`).toEqual([]);
      expect(resolved(escaped).value).toEqual(JSON.parse(escaped.toString('utf8')));
      for (const control of ['\u0001', '\u001f', '\n']) {
        const raw = jsonOf(around(control));
        expect(() => parseJsonKeepingLongStrings(raw, minLength), `control at ${at}`).toThrow(HttpError);
      }
      expect(resolved(jsonOf(around(' '))).stoodIn).toEqual([around(' ')]);
    }
  });

  it('never takes a client text for a stand-in', () => {
    const body = Buffer.from(JSON.stringify({ fake: '\u00000123456789abcdef:0', real: 'C'.repeat(32) }));
    const parsed = parseJsonKeepingLongStrings(body, minLength);
    const value = parsed.value as { fake: string; real: string };
    expect(value.fake).toBe('\u00000123456789abcdef:0');
    expect(parsed.rangeOf(value.fake)).toBeUndefined();
    expect(parsed.rangeOf(value.real)).toBeDefined();
  });

  it('refuses what JSON.parse refuses, with the same 400', () => {
    const long = 'D'.repeat(40);
    const bodies = [
      `{"a": "${long}"`,
      `{"a": "${long}", }`,
      `{"a": "${long}\u0001"}`, // a raw control character in a long string
      `{"a": "${long}" "b": 1}`,
      `{"a": ${long}"}`,
      '',
    ];
    for (const text of bodies) {
      const body = Buffer.from(text);
      const ours = errorOf(() => parseJsonKeepingLongStrings(body, minLength));
      const reference = errorOf(() => parseJsonBody(body));
      expect(ours, text).toBeInstanceOf(HttpError);
      expect({ status: ours.status, message: ours.message }).toEqual({
        status: reference.status,
        message: reference.message,
      });
    }
  });
});
