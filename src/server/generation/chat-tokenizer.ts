import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

type O200kEncoding = typeof import('gpt-tokenizer/encoding/o200k_base');

let o200kEncoding: O200kEncoding | undefined;

/**
 * The o200k_base encoder, loaded on first use: its tables take ~0.3 s to load, and processes
 * that only decode (the inference workers) never need them. `encode` is synchronous, so this is
 * a synchronous `require` (gpt-tokenizer ships a CommonJS build) rather than a dynamic `import()`.
 */
function o200k(): O200kEncoding {
  o200kEncoding ??= createRequire(import.meta.url)('gpt-tokenizer/encoding/o200k_base') as O200kEncoding;
  return o200kEncoding;
}

/**
 * `tokenizer.json` of a reference model: a local vocabulary cut out of o200k_base.
 * Local ids `0 .. o200kIds.length - 1` are o200k tokens; the special ids follow them.
 */
export interface LocalTokenizerFile {
  format: 'aiaas-local-o200k/1';
  baseEncoding: 'o200k_base';
  /** o200k id of each local id. */
  o200kIds: number[];
  /** The bytes each local id decodes to, base64 (o200k tokens are byte strings, not always whole characters). */
  tokenBytes: string[];
  unknownId: number;
  endOfTextId: number;
  padId: number;
}

/** The fields of a model's `config.json` the tokenizer needs. */
interface TokenizerConfigFields {
  contextLength: number;
  vocabSize: number;
}

/** What an unknown token decodes to: it stands for text the local vocabulary cannot spell. */
const replacementCharacterBytes = new Uint8Array([0xef, 0xbf, 0xbd]);
const emptyBytes = new Uint8Array(0);
// Special-token text such as "<|endoftext|>" in user input is plain text here, never a control token.
const plainTextOnly = { disallowedSpecial: new Set<string>() };

function isIntegerArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => Number.isInteger(item));
}

function parseTokenizerFile(raw: unknown, source: string): LocalTokenizerFile {
  const file = raw as Partial<LocalTokenizerFile> | null;
  const size = file?.o200kIds?.length ?? -1;
  if (
    file?.format !== 'aiaas-local-o200k/1' ||
    !isIntegerArray(file.o200kIds) ||
    !Array.isArray(file.tokenBytes) ||
    file.tokenBytes.length !== size ||
    file.unknownId !== size ||
    file.endOfTextId !== size + 1 ||
    !Number.isInteger(file.padId)
  ) {
    throw new Error(`${source} is not an aiaas local o200k tokenizer file.`);
  }
  return file as LocalTokenizerFile;
}

/**
 * The tokenizer of the reference language and embedding models: o200k_base (via gpt-tokenizer)
 * remapped to a small local vocabulary, plus an unknown and an end-of-text token.
 *
 * @example
 * const tokenizer = await ChatTokenizer.load(join(builtInModelsDir, 'ref-chat'));
 * tokenizer.decode(tokenizer.encode('We the people')); // 'We the people'
 */
export class ChatTokenizer {
  readonly vocabSize: number;
  readonly contextLength: number;
  readonly endOfTextId: number;
  readonly padId: number;
  readonly unknownId: number;
  readonly #localIdByO200kId: Map<number, number>;
  readonly #bytesByLocalId: Uint8Array[];

  constructor(file: LocalTokenizerFile, contextLength: number) {
    this.unknownId = file.unknownId;
    this.endOfTextId = file.endOfTextId;
    this.padId = file.padId;
    this.vocabSize = file.o200kIds.length + 2;
    this.contextLength = contextLength;
    this.#localIdByO200kId = new Map(file.o200kIds.map((o200kId, localId) => [o200kId, localId]));
    this.#bytesByLocalId = file.tokenBytes.map((base64) => new Uint8Array(Buffer.from(base64, 'base64')));
  }

  /** Reads `tokenizer.json` and `config.json` (for `contextLength` and `vocabSize`) from a model directory. */
  static async load(modelDirectory: string): Promise<ChatTokenizer> {
    const tokenizerPath = join(modelDirectory, 'tokenizer.json');
    const configPath = join(modelDirectory, 'config.json');
    const [tokenizerText, configText] = await Promise.all([
      readFile(tokenizerPath, 'utf8'),
      readFile(configPath, 'utf8'),
    ]);
    const file = parseTokenizerFile(JSON.parse(tokenizerText), tokenizerPath);
    const config = JSON.parse(configText) as Partial<TokenizerConfigFields>;
    if (!Number.isInteger(config.contextLength) || (config.contextLength ?? 0) <= 0) {
      throw new Error(`${configPath} has no positive integer contextLength.`);
    }
    const tokenizer = new ChatTokenizer(file, config.contextLength!);
    if (config.vocabSize !== tokenizer.vocabSize) {
      throw new Error(
        `${configPath} says vocabSize ${config.vocabSize}, the tokenizer has ${tokenizer.vocabSize}.`,
      );
    }
    return tokenizer;
  }

  /** Local ids of `text`; o200k tokens outside the local vocabulary become the unknown id. */
  encode(text: string): number[] {
    return o200k()
      .encode(text, plainTextOnly)
      .map((o200kId) => this.#localIdByO200kId.get(o200kId) ?? this.unknownId);
  }

  /** Same count as `encode(text).length`: one local token per o200k token. */
  countTokens(text: string): number {
    return o200k().encode(text, plainTextOnly).length;
  }

  /** The bytes a local id stands for: none for end-of-text/pad, U+FFFD for unknown. */
  tokenBytes(id: number): Uint8Array {
    if (id === this.unknownId) return replacementCharacterBytes;
    const bytes = this.#bytesByLocalId[id];
    if (bytes !== undefined) return bytes;
    if (id === this.endOfTextId || id === this.padId) return emptyBytes;
    throw new RangeError(`Token id ${id} is outside the vocabulary of ${this.vocabSize} tokens.`);
  }

  decode(ids: readonly number[]): string {
    const decoder = new TextDecoder('utf-8');
    let text = '';
    for (const id of ids) text += decoder.decode(this.tokenBytes(id), { stream: true });
    return text + decoder.decode();
  }

  /**
   * A decoder for a token stream: `push` returns only text that ends on a complete UTF-8
   * character, so a character split across tokens is never emitted half-way; `flush` returns
   * what is left (an incomplete tail becomes U+FFFD).
   */
  createStreamDecoder(): { push(id: number): string; flush(): string } {
    const decoder = new TextDecoder('utf-8');
    return {
      push: (id: number) => decoder.decode(this.tokenBytes(id), { stream: true }),
      flush: () => decoder.decode(),
    };
  }
}
