import { compileSchema } from './compile-schema.js';
import { shortestCompletion } from './json-completion.js';
import { type Stack, stackName } from './json-frames.js';
import { advance, advanceText, initialStack } from './json-prefix-matcher.js';
import type { SchemaNode } from './schema-nodes.js';
import type { OutputPiece, TokenVocabulary } from './token-vocabulary.js';

/** What a constrained sequence must produce: a JSON value of `schema` (already checked by the route). */
export interface JsonConstraint {
  schema: Record<string, unknown>;
}

interface TokenMask {
  allowed: Uint8Array;
  count: number;
}

/** A compiled schema and the token masks of the states met so far, shared by every sequence using it. */
interface CompiledConstraint {
  root: SchemaNode;
  masks: Map<string, TokenMask>;
}

const compiledBySchema = new WeakMap<TokenVocabulary, Map<string, CompiledConstraint>>();
const maxCachedSchemas = 64;
/** Masks kept over all schemas (a mask is one byte per token: 4 KiB for ref-chat). */
const maxCachedMasks = 8_192;
let cachedMasks = 0;
/** Sampled tokens that would leave too little budget to close the value are redrawn this many times. */
const redraws = 4;
/** Characters the vocabulary cannot write that end a value: chosen when the model would end its text. */
const closers = ['}', ']'];

function compiledFor(vocabulary: TokenVocabulary, constraint: JsonConstraint): CompiledConstraint {
  let bySchema = compiledBySchema.get(vocabulary);
  if (bySchema === undefined) {
    bySchema = new Map();
    compiledBySchema.set(vocabulary, bySchema);
  }
  const key = JSON.stringify(constraint.schema);
  let compiled = bySchema.get(key);
  if (compiled === undefined) {
    if (bySchema.size >= maxCachedSchemas) {
      for (const dropped of bySchema.values()) cachedMasks -= dropped.masks.size;
      bySchema.clear();
    }
    compiled = { root: compileSchema(constraint.schema, 'schema'), masks: new Map() };
    bySchema.set(key, compiled);
  }
  return compiled;
}

/** Marks every token whose whole text can follow `stack`; returns how many. */
function markTokens(node: TokenVocabulary['root'], stack: Stack, allowed: Uint8Array): number {
  let count = 0;
  for (const [code, child] of node.children) {
    const next = advance(stack, code);
    if (next === undefined) continue;
    if (child.tokenId !== -1) {
      allowed[child.tokenId] = 1;
      count++;
    }
    if (next.frame.t !== 'done' && child.children.size > 0) count += markTokens(child, next, allowed);
  }
  return count;
}

/**
 * Constrained decoding of one sequence: before each sample, every token that would not keep
 * the text a valid prefix of the schema's JSON is masked, so the model's own logits choose among
 * the rest. Closing brackets the vocabulary cannot spell take the end-of-text logit (the model
 * wanting to stop). When the token budget only just covers the shortest way to close the value,
 * that way is written out, so the text always parses and validates.
 *
 * @example
 * const sequence = new ConstrainedSequence(TokenVocabulary.of(tokenizer), { schema });
 * const piece = sequence.next(logits, maxTokens - used, (masked) => sampleToken(masked, options, random));
 */
export class ConstrainedSequence {
  readonly #vocabulary: TokenVocabulary;
  readonly #compiled: CompiledConstraint;
  #stack: Stack;
  #plan: OutputPiece[] = [];

  constructor(vocabulary: TokenVocabulary, constraint: JsonConstraint) {
    this.#vocabulary = vocabulary;
    this.#compiled = compiledFor(vocabulary, constraint);
    this.#stack = initialStack(this.#compiled.root);
  }

  /** True once the value is complete: nothing more may be written. */
  get finished(): boolean {
    return this.#stack.frame.t === 'done';
  }

  /** Tokens the shortest completion from here takes. */
  tokensToFinish(stack: Stack = this.#stack): number {
    return this.#vocabulary.pieces(shortestCompletion(stack)).length;
  }

  /**
   * The next piece of output. `logits` (this sequence's row, a copy) is masked in place;
   * `remaining` counts the tokens left including this one; `sample` draws from masked logits.
   */
  next(logits: Float32Array, remaining: number, sample: (masked: Float32Array) => number): OutputPiece {
    if (this.#plan.length > 0) return this.#emit(this.#plan.shift()!);
    const completion = shortestCompletion(this.#stack);
    if (this.#vocabulary.pieces(completion).length >= remaining) return this.#force(completion);

    const vocabulary = this.#vocabulary;
    const mask = this.#maskOf(this.#stack);
    const endLogit = logits[vocabulary.endOfTextId]!;
    for (let id = 0; id < logits.length; id++)
      if (mask.allowed[id] === 0) logits[id] = Number.NEGATIVE_INFINITY;
    const closer = closers.find((character) => advance(this.#stack, character.codePointAt(0)!) !== undefined);
    let candidates = mask.count;
    if (closer !== undefined) {
      logits[vocabulary.endOfTextId] = endLogit;
      candidates++;
    }
    if (candidates === 0) {
      const forced = { tokenId: vocabulary.unknownId, text: [...completion][0]! };
      return this.#fits(forced.text, remaining) ? this.#emit(forced) : this.#force(completion);
    }
    for (let attempt = 0; attempt < redraws && candidates > 0; attempt++) {
      const tokenId = sample(logits);
      const piece =
        tokenId === vocabulary.endOfTextId
          ? { tokenId: vocabulary.unknownId, text: closer ?? '' }
          : { tokenId, text: vocabulary.textOf(tokenId) };
      if (piece.text !== '' && this.#fits(piece.text, remaining)) return this.#emit(piece);
      logits[tokenId] = Number.NEGATIVE_INFINITY;
      candidates--;
    }
    return this.#force(completion);
  }

  /** Whether `text` can follow and still leave room to finish within the budget after it. */
  #fits(text: string, remaining: number): boolean {
    const next = advanceText(this.#stack, text);
    return next !== undefined && (next.frame.t === 'done' || this.tokensToFinish(next) <= remaining - 1);
  }

  #force(completion: string): OutputPiece {
    this.#plan = this.#vocabulary.pieces(completion);
    return this.#emit(this.#plan.shift()!);
  }

  #emit(piece: OutputPiece): OutputPiece {
    const next = advanceText(this.#stack, piece.text);
    if (next === undefined)
      throw new Error(`Constrained decoding lost its way at ${JSON.stringify(piece.text)}.`);
    this.#stack = next;
    return piece;
  }

  #maskOf(stack: Stack): TokenMask {
    const name = stackName(stack);
    const masks = this.#compiled.masks;
    let mask = masks.get(name);
    if (mask === undefined) {
      const allowed = new Uint8Array(this.#vocabulary.size);
      mask = { allowed, count: markTokens(this.#vocabulary.root, stack, allowed) };
      // The states of one schema that recur are met early; past the cap, start afresh.
      if (cachedMasks >= maxCachedMasks) {
        cachedMasks -= masks.size;
        masks.clear();
      }
      masks.set(name, mask);
      cachedMasks++;
    }
    return mask;
  }
}
