import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scriptsDataDir } from './data-paths.js';

export interface LabelledSentence {
  text: string;
  /** 1 = positive, 0 = negative. */
  label: 0 | 1;
}

export interface SentimentDataset {
  training: LabelledSentence[];
  heldOut: LabelledSentence[];
}

/** Every fifth sentence of each file (index 4, 9, ...) is held out: deterministic, and balanced 50/50. */
export const heldOutEvery = 5;

function readSentences(fileName: string, label: 0 | 1): LabelledSentence[] {
  return readFileSync(join(scriptsDataDir, fileName), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((text) => ({ text, label }));
}

/**
 * The hand-written sentiment set: `sentiment-positive.txt` and `sentiment-negative.txt`, one
 * sentence a line. Line i of one file mirrors line i of the other (same topic, opposite
 * feeling), and both lines of a pair land on the same side of the split, so held-out
 * sentences are about topics the classifier never saw and only the words of feeling can carry it.
 */
export function loadSentimentDataset(): SentimentDataset {
  const all = [...readSentences('sentiment-positive.txt', 1), ...readSentences('sentiment-negative.txt', 0)];
  const dataset: SentimentDataset = { training: [], heldOut: [] };
  const indexInFile = new Map<0 | 1, number>();
  for (const sentence of all) {
    const index = indexInFile.get(sentence.label) ?? 0;
    indexInFile.set(sentence.label, index + 1);
    (index % heldOutEvery === heldOutEvery - 1 ? dataset.heldOut : dataset.training).push(sentence);
  }
  return dataset;
}
