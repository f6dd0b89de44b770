/** What the vocabulary needs of a tokenizer (the chat tokenizer has it). */
export interface VocabularySource {
  readonly vocabSize: number;
  readonly unknownId: number;
  readonly endOfTextId: number;
  readonly padId: number;
  tokenBytes(id: number): Uint8Array;
}

/** One piece of output: a vocabulary token, or a single character the vocabulary cannot spell. */
export interface OutputPiece {
  /** The token id, or the unknown id for a character written without a token of its own. */
  tokenId: number;
  text: string;
}

/** A trie node: children by code point, and the token whose text ends here (-1 when none). */
interface TrieNode {
  children: Map<number, TrieNode>;
  tokenId: number;
}

/**
 * The text of every token of a tokenizer, as characters, in a trie: built once per tokenizer,
 * so walking the vocabulary from a matcher state shares the work of common prefixes.
 * Tokens that are not whole UTF-8 characters are left out (constrained text is whole characters).
 */
export class TokenVocabulary {
  readonly size: number;
  readonly unknownId: number;
  readonly endOfTextId: number;
  readonly root: TrieNode = { children: new Map(), tokenId: -1 };
  readonly #texts: string[];

  private constructor(tokenizer: VocabularySource) {
    this.size = tokenizer.vocabSize;
    this.unknownId = tokenizer.unknownId;
    this.endOfTextId = tokenizer.endOfTextId;
    const decoder = new TextDecoder('utf-8', { fatal: true });
    this.#texts = Array.from({ length: tokenizer.vocabSize }, () => '');
    for (let id = 0; id < tokenizer.vocabSize; id++) {
      if (id === tokenizer.unknownId || id === tokenizer.endOfTextId || id === tokenizer.padId) continue;
      let text: string;
      try {
        text = decoder.decode(tokenizer.tokenBytes(id));
      } catch {
        continue;
      }
      if (text === '') continue;
      this.#texts[id] = text;
      let node = this.root;
      for (const character of text) {
        const code = character.codePointAt(0)!;
        let child = node.children.get(code);
        if (child === undefined) {
          child = { children: new Map(), tokenId: -1 };
          node.children.set(code, child);
        }
        node = child;
      }
      if (node.tokenId === -1) node.tokenId = id;
    }
  }

  static #byTokenizer = new WeakMap<VocabularySource, TokenVocabulary>();

  static of(tokenizer: VocabularySource): TokenVocabulary {
    let vocabulary = TokenVocabulary.#byTokenizer.get(tokenizer);
    if (vocabulary === undefined) {
      vocabulary = new TokenVocabulary(tokenizer);
      TokenVocabulary.#byTokenizer.set(tokenizer, vocabulary);
    }
    return vocabulary;
  }

  /** The text of a token ('' for tokens constrained decoding never samples). */
  textOf(tokenId: number): string {
    return this.#texts[tokenId] ?? '';
  }

  /** Splits `text` greedily into the longest tokens, a character on its own where no token starts. */
  pieces(text: string): OutputPiece[] {
    const characters = [...text];
    const pieces: OutputPiece[] = [];
    let position = 0;
    while (position < characters.length) {
      let node: TrieNode | undefined = this.root;
      let best = { tokenId: this.unknownId, length: 1 };
      for (let end = position; end < characters.length; end++) {
        node = node.children.get(characters[end]!.codePointAt(0)!);
        if (node === undefined) break;
        if (node.tokenId !== -1) best = { tokenId: node.tokenId, length: end - position + 1 };
      }
      pieces.push({
        tokenId: best.tokenId,
        text: characters.slice(position, position + best.length).join(''),
      });
      position += best.length;
    }
    return pieces;
  }
}
