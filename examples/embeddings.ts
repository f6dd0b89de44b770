// Embeds sentences and ranks them by cosine similarity to a query.
import { AiaasClient } from 'aiaas';
import { exampleTarget } from './support/example-server.js';

const target = await exampleTarget();
const client = new AiaasClient({ baseURL: target.baseURL, apiKey: target.apiKey });
try {
  const query = 'Our children deserve better schools and teachers.';
  const candidates = [
    'We will invest in education so every student can learn.',
    'Our troops are serving bravely overseas.',
    'Health care costs are rising for working families.',
  ];
  const result = await client.embeddings.create({ model: 'ref-embed', input: [query, ...candidates] });
  const vectors = result.data.map((item) => item.embedding);
  const [queryVector] = vectors;
  if (!queryVector) throw new Error('no embedding returned');
  // The server L2-normalises embeddings, so the dot product is the cosine similarity.
  const dot = (left: Float32Array, right: Float32Array) =>
    left.reduce((sum, value, index) => sum + value * (right[index] ?? 0), 0);
  const ranked = candidates
    .map((sentence, index) => ({
      sentence,
      score: dot(queryVector, vectors[index + 1] ?? new Float32Array()),
    }))
    .sort((left, right) => right.score - left.score);
  console.log(`query: ${query} (${queryVector.length} dimensions)`);
  for (const { sentence, score } of ranked) console.log(`${score.toFixed(3)}  ${sentence}`);
} finally {
  await client.close();
  await target.close();
}
