import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StopSequenceFilter } from '../../../../src/server/generation/stop-sequence-filter.js';

/** Feeds `chunks` through a filter and returns every release, plus the flush when no stop was hit. */
function run(stops: readonly string[], chunks: readonly string[]): { releases: string[]; stopped: boolean } {
  const filter = new StopSequenceFilter(stops);
  const releases: string[] = [];
  for (const chunk of chunks) {
    const output = filter.push(chunk);
    releases.push(output.text);
    if (output.stopped) return { releases, stopped: true };
  }
  releases.push(filter.flush());
  return { releases, stopped: false };
}

describe('StopSequenceFilter', () => {
  it('holds back a tail that could become a stop sequence, and drops it once it does', () => {
    const filter = new StopSequenceFilter(['\nUser:']);
    expect(filter.push('Hello.\nUs')).toEqual({ text: 'Hello.', stopped: false });
    expect(filter.push('er: more')).toEqual({ text: '', stopped: true });
    expect(filter.push('after')).toEqual({ text: '', stopped: true });
    expect(filter.flush()).toBe('');
  });

  it('releases the held-back tail when it turns out not to be a stop sequence', () => {
    const filter = new StopSequenceFilter(['\nUser:']);
    expect(filter.push('Hello.\nU').text).toBe('Hello.');
    expect(filter.push('nits')).toEqual({ text: '\nUnits', stopped: false });
  });

  it('cuts at the earliest of several stop sequences and ignores empty ones', () => {
    expect(run(['', 'END', 'stop'], ['one stop two END'])).toEqual({ releases: ['one '], stopped: true });
    expect(run([''], ['plain text'])).toEqual({ releases: ['plain text', ''], stopped: false });
  });

  it('emits exactly the text before the first stop to complete, however the text is chunked', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', '\n');
    const text = fc.array(alphabet, { maxLength: 40 }).map((characters) => characters.join(''));
    const stop = fc.array(alphabet, { minLength: 1, maxLength: 4 }).map((characters) => characters.join(''));
    fc.assert(
      fc.property(
        text,
        fc.array(stop, { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(40)),
        (full, stops, cuts) => {
          const positions = [...new Set(cuts.map((cut) => cut % (full.length + 1)))].sort(
            (left, right) => left - right,
          );
          const chunks = [0, ...positions, full.length]
            .slice(0, -1)
            .map((start, index, starts) => full.slice(start, starts[index + 1] ?? full.length));
          // Generation ends with the first chunk that completes a stop; the cut is at the earliest stop in the text so far.
          let seen = '';
          let expected = full;
          let expectStop = false;
          for (const chunk of chunks) {
            seen += chunk;
            const cut = Math.min(
              ...stops.map((candidate) => seen.indexOf(candidate)).filter((index) => index >= 0),
            );
            if (Number.isFinite(cut)) {
              expected = seen.slice(0, cut);
              expectStop = true;
              break;
            }
          }
          const { releases, stopped } = run(stops, chunks);
          expect(releases.join('')).toBe(expected);
          expect(stopped).toBe(expectStop);
          // Nothing released may ever contain a stop sequence.
          for (const candidate of stops) expect(releases.join('')).not.toContain(candidate);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
