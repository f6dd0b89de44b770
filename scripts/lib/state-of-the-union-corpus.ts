import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSeededRandom } from '../../src/server/generation/sampler.js';
import { scriptsDataDir } from './data-paths.js';

/** One State of the Union address from `scripts/data/state-of-the-union/`. */
export interface Speech {
  year: number;
  president: string;
  text: string;
}

/** The language-model corpus: training documents and held-out documents, each ending where end-of-text goes. */
export interface ChatCorpus {
  training: string[];
  heldOut: string[];
  heldOutYears: number[];
}

/**
 * Whole speeches are held out (one per decade: 1994, 2004, 2014) so held-out perplexity
 * measures text the model never saw, not neighbouring sentences of a speech it trained on.
 */
export const heldOutYears: readonly number[] = [1994, 2004, 2014];

const corpusDirectory = join(scriptsDataDir, 'state-of-the-union');
/** Share of documents written as a one-turn chat transcript, so the model learns the chat template. */
const chatDocumentShare = 0.3;

/** Removes stage directions such as "[Applause]" and makes typographic quotes plain ASCII. */
export function cleanSpeechText(text: string): string {
  return text
    .replace(/\s*\[[^\]]*\]/g, '')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

export function loadSpeeches(): Speech[] {
  return readdirSync(corpusDirectory)
    .filter((name) => /^\d{4}-.+\.txt$/.test(name))
    .sort()
    .map((name) => ({
      year: Number(name.slice(0, 4)),
      president: name
        .slice(5, -4)
        .split('-')
        .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
        .join(' '),
      text: cleanSpeechText(readFileSync(join(corpusDirectory, name), 'utf8')),
    }));
}

const abbreviationEnd =
  /(?:\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Mt|vs|No)|\b[A-Z](?:\.[A-Z])*)\.$/;

/** Splits prose into sentences at `.`, `!` or `?` followed by a capital, except after common abbreviations. */
export function splitSentences(text: string): string[] {
  const pieces = text.split(/(?<=[.!?]["')]?)\s+(?=["'(]?[A-Z0-9$])/);
  const sentences: string[] = [];
  for (const piece of pieces) {
    const previous = sentences.at(-1);
    if (previous !== undefined && abbreviationEnd.test(previous))
      sentences[sentences.length - 1] = `${previous} ${piece}`;
    else sentences.push(piece);
  }
  return sentences.filter((sentence) => sentence.length > 0);
}

/**
 * Cuts a speech into documents of 2-5 sentences. About 30% become a one-turn transcript in the
 * chat template (`User: <sentence>\nAssistant: <the sentences after it>`), so after "Assistant:"
 * the model continues in the corpus's voice and ends with end-of-text. Seeded by the year,
 * so each speech is cut the same way whichever others are loaded.
 */
export function speechDocuments(speech: Speech): string[] {
  const random = createSeededRandom(speech.year);
  const sentences = splitSentences(speech.text);
  const documents: string[] = [];
  let start = 0;
  while (start < sentences.length) {
    const length = 2 + Math.floor(random() * 4);
    const chunk = sentences.slice(start, start + length);
    start += length;
    if (chunk.length >= 2 && random() < chatDocumentShare) {
      documents.push(`User: ${chunk[0]}\nAssistant: ${chunk.slice(1).join(' ')}`);
    } else {
      documents.push(chunk.join(' '));
    }
  }
  return documents;
}

export function loadChatCorpus(): ChatCorpus {
  const training: string[] = [];
  const heldOut: string[] = [];
  for (const speech of loadSpeeches()) {
    (heldOutYears.includes(speech.year) ? heldOut : training).push(...speechDocuments(speech));
  }
  return { training, heldOut, heldOutYears: [...heldOutYears] };
}
