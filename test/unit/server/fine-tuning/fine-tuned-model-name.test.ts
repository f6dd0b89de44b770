import { describe, expect, it } from 'vitest';
import { cursorPage } from '../../../../src/server/fine-tuning/cursor-page.js';
import { fineTunedModelName } from '../../../../src/server/fine-tuning/fine-tuned-model-name.js';
import { isValidModelName } from '../../../../src/server/models/model-name-rules.js';

describe('fineTunedModelName', () => {
  it("is OpenAI's ft:<base>:<org>:<suffix>:<id>, one valid model name even at the longest", () => {
    const name = fineTunedModelName(
      'aiaas-sequential',
      'key_0123456789abcdef',
      'spam',
      'ftjob-5f2a7c91e0d4aa',
    );
    expect(name).toBe('ft:aiaas-sequential:key_0123456789abcdef:spam:5f2a7c91');
    expect(fineTunedModelName('ref-classify', 'anonymous', null, 'ftjob-0011223344')).toBe(
      'ft:ref-classify:anonymous::00112233',
    );
    const longest = fineTunedModelName(
      'b'.repeat(128),
      'key_0123456789abcdef',
      's'.repeat(64),
      'ftjob-ffffffffff',
    );
    expect(isValidModelName(longest)).toBe(true);
    expect(isValidModelName('ft:x/y')).toBe(false);
  });
});

describe('cursorPage', () => {
  const items = ['c', 'b', 'a'].map((id) => ({ id }));
  const query = (text: string) => new URLSearchParams(text);

  it('pages after a cursor with has_more, and an unknown cursor gives an empty page', () => {
    expect(cursorPage(items, query('limit=2'), 20)).toMatchObject({
      data: [{ id: 'c' }, { id: 'b' }],
      has_more: true,
    });
    expect(cursorPage(items, query('after=b'), 20)).toMatchObject({ data: [{ id: 'a' }], has_more: false });
    expect(cursorPage(items, query('after=zz'), 20).data).toEqual([]);
  });

  it('refuses a limit outside 1..100 naming it', () => {
    for (const limit of ['0', '101', '1.5', 'x'])
      expect(() => cursorPage(items, query(`limit=${limit}`), 20)).toThrow(
        /limit must be an integer from 1 to 100/,
      );
  });
});
