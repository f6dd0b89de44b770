import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scriptsDataDir } from './data-paths.js';

interface SimilarityFile {
  topics: { topic: string; sentences: string[] }[];
}

/** An anchor, a sentence of the same topic and a sentence of another topic. */
export interface SimilarityTriplet {
  anchor: number;
  related: number;
  unrelated: number;
}

export interface SimilarityDataset {
  sentences: string[];
  /** Topic index of each sentence. */
  topicOf: number[];
  topics: string[];
  relatedPairs: [number, number][];
  unrelatedPairs: [number, number][];
  triplets: SimilarityTriplet[];
}

/**
 * `scripts/data/sentence-similarity.json`: related pairs are all pairs within a topic, unrelated
 * pairs all pairs across topics. Each ordered related pair (a, b) makes a triplet whose unrelated
 * sentence is the one at b's position in the next topic, so every sentence serves in each role.
 */
export function loadSimilarityDataset(): SimilarityDataset {
  const file = JSON.parse(
    readFileSync(join(scriptsDataDir, 'sentence-similarity.json'), 'utf8'),
  ) as SimilarityFile;
  const sentences: string[] = [];
  const topicOf: number[] = [];
  const firstOfTopic: number[] = [];
  file.topics.forEach((topic, topicIndex) => {
    firstOfTopic.push(sentences.length);
    for (const sentence of topic.sentences) {
      sentences.push(sentence);
      topicOf.push(topicIndex);
    }
  });
  const relatedPairs: [number, number][] = [];
  const unrelatedPairs: [number, number][] = [];
  for (let left = 0; left < sentences.length; left++) {
    for (let right = left + 1; right < sentences.length; right++) {
      (topicOf[left] === topicOf[right] ? relatedPairs : unrelatedPairs).push([left, right]);
    }
  }
  const triplets: SimilarityTriplet[] = [];
  file.topics.forEach((topic, topicIndex) => {
    const nextTopic = (topicIndex + 1) % file.topics.length;
    topic.sentences.forEach((_, anchorPosition) => {
      topic.sentences.forEach((__, relatedPosition) => {
        if (anchorPosition === relatedPosition) return;
        const nextSize = file.topics[nextTopic]!.sentences.length;
        triplets.push({
          anchor: firstOfTopic[topicIndex]! + anchorPosition,
          related: firstOfTopic[topicIndex]! + relatedPosition,
          unrelated: firstOfTopic[nextTopic]! + (relatedPosition % nextSize),
        });
      });
    });
  });
  return {
    sentences,
    topicOf,
    topics: file.topics.map((topic) => topic.topic),
    relatedPairs,
    unrelatedPairs,
    triplets,
  };
}
