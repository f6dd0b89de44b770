import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildLocalTokenizerFile } from '../../../../scripts/lib/local-vocabulary.js';
import { ChatTokenizer } from '../../../../src/server/generation/chat-tokenizer.js';
import { builtInModelsDir } from '../../../../src/server/models/model-files.js';

const words = ['We', 'the', 'people', 'café', 'naïve', '日本語', '🦜', 'Übermaß', 'tax', 'cuts', 'jobs'];
// Each word at the start of a text and after a space, so every "word" and " word" token is in the vocabulary.
const vocabularyTokenizer = new ChatTokenizer(
  buildLocalTokenizerFile(
    words.map((word) => `${word} ${word}`),
    500,
  ),
  4,
);

describe('ChatTokenizer', () => {
  it('round-trips any text made of in-vocabulary words', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 12 }), (chosen) => {
        const text = chosen.join(' ');
        const ids = vocabularyTokenizer.encode(text);
        expect(ids).not.toContain(vocabularyTokenizer.unknownId);
        expect(vocabularyTokenizer.decode(ids)).toBe(text);
        expect(vocabularyTokenizer.countTokens(text)).toBe(ids.length);
      }),
    );
  });

  it('maps tokens outside the local vocabulary to the unknown id, which decodes to U+FFFD', () => {
    const ids = vocabularyTokenizer.encode('We zebra');
    expect(ids).toContain(vocabularyTokenizer.unknownId);
    expect(vocabularyTokenizer.decode(ids)).toBe('We\uFFFD');
    expect(vocabularyTokenizer.countTokens('We zebra')).toBe(ids.length);
  });

  it('treats special-token text in user input as plain text', () => {
    const ids = vocabularyTokenizer.encode('<|endoftext|>');
    expect(ids.length).toBeGreaterThan(1);
    expect(ids).not.toContain(vocabularyTokenizer.endOfTextId);
  });

  it('decodes end-of-text and padding to nothing and rejects ids outside the vocabulary', () => {
    const tokenizer = vocabularyTokenizer;
    expect(tokenizer.decode([...tokenizer.encode('We'), tokenizer.endOfTextId, tokenizer.padId])).toBe('We');
    expect(() => tokenizer.decode([tokenizer.vocabSize])).toThrow(RangeError);
  });

  it('stream-decodes a character split across tokens only once it is complete', () => {
    const text = 'We 🦜 日本語 Übermaß';
    const ids = vocabularyTokenizer.encode(text);
    const decoder = vocabularyTokenizer.createStreamDecoder();
    const pieces = ids.map((id) => decoder.push(id));
    pieces.push(decoder.flush());
    expect(pieces.join('')).toBe(text);
    // o200k spells the parrot emoji with more than one byte-level token: some push returns ''.
    expect(pieces.slice(0, -1)).toContain('');
    for (const piece of pieces) expect(piece).not.toContain('\uFFFD');
  });

  it('flushes an unfinished character as U+FFFD', () => {
    const ids = vocabularyTokenizer.encode('🦜');
    const decoder = vocabularyTokenizer.createStreamDecoder();
    expect(decoder.push(ids[0]!)).toBe('');
    expect(decoder.flush()).toBe('\uFFFD');
  });

  it('loads the committed ref-chat tokenizer with its config', async () => {
    const tokenizer = await ChatTokenizer.load(join(builtInModelsDir, 'ref-chat'));
    const text = 'Tonight I ask the Congress to pass a budget for our schools and our troops.';
    expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
    expect(tokenizer.contextLength).toBeGreaterThan(0);
    expect(tokenizer.endOfTextId).toBe(tokenizer.vocabSize - 1);
    expect(tokenizer.padId).toBe(tokenizer.endOfTextId);
  });
});
