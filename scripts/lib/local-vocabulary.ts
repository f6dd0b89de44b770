import o200kRanks from 'gpt-tokenizer/bpeRanks/o200k_base';
import { encode as encodeO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { ChatTokenizer, type LocalTokenizerFile } from '../../src/server/generation/chat-tokenizer.js';

const plainTextOnly = { disallowedSpecial: new Set<string>() };

/** The bytes of an o200k token: gpt-tokenizer stores each rank as text, or as raw bytes when not valid UTF-8. */
function o200kTokenBytes(o200kId: number): Uint8Array {
  const entry = (o200kRanks as readonly (string | readonly number[])[])[o200kId];
  if (entry === undefined) throw new RangeError(`No o200k token ${o200kId}`);
  return typeof entry === 'string' ? new TextEncoder().encode(entry) : Uint8Array.from(entry);
}

/**
 * The local vocabulary of a model: the `size` most frequent o200k tokens of its training
 * documents (ties broken by o200k id, so the result is deterministic), then unknown and
 * end-of-text; padding reuses end-of-text, as every training window starts after one.
 */
export function buildLocalTokenizerFile(documents: readonly string[], size: number): LocalTokenizerFile {
  const counts = new Map<number, number>();
  for (const document of documents) {
    for (const id of encodeO200k(document, plainTextOnly)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const o200kIds = [...counts.entries()]
    .sort((left, right) => right[1] - left[1] || left[0] - right[0])
    .slice(0, size)
    .map(([id]) => id);
  return {
    format: 'aiaas-local-o200k/1',
    baseEncoding: 'o200k_base',
    o200kIds,
    tokenBytes: o200kIds.map((id) => Buffer.from(o200kTokenBytes(id)).toString('base64')),
    unknownId: o200kIds.length,
    endOfTextId: o200kIds.length + 1,
    padId: o200kIds.length + 1,
  };
}

/** Each document's local ids followed by end-of-text, as one array per document. */
export function tokenizeDocuments(tokenizer: ChatTokenizer, documents: readonly string[]): Int32Array[] {
  return documents.map((document) => Int32Array.from([...tokenizer.encode(document), tokenizer.endOfTextId]));
}

export function createTokenizer(file: LocalTokenizerFile, contextLength: number): ChatTokenizer {
  return new ChatTokenizer(file, contextLength);
}
