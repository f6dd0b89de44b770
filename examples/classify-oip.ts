// The worked example: the sentiment classifier (100 -> 64 -> 32 -> 1) over the Open Inference Protocol v2.
import { AiaasClient, tensor } from 'aiaas';
import { hashedBagOfWords } from 'aiaas/server';
import { exampleTarget } from './support/example-server.js';

const target = await exampleTarget();
const client = new AiaasClient({ provider: 'oip', baseURL: target.baseURL, apiKey: target.apiKey });
try {
  // A small model: 0.72 accuracy on held-out sentences (models/ref-classify/README.md), so it gets some wrong.
  const labelled = [
    { sentence: 'The staff were friendly and the room was spotless.', expected: 'positive' },
    { sentence: 'Terrible experience, rude staff and a dirty room.', expected: 'negative' },
    { sentence: 'The film was boring and far too long.', expected: 'negative' },
    { sentence: 'A delightful little cafe with excellent coffee.', expected: 'positive' },
  ];
  const sentences = labelled.map((item) => item.sentence);
  const metadata = await client.inference.modelMetadata('ref-classify');
  console.log(`model: ${metadata.name} (${metadata.platform}), input ${JSON.stringify(metadata.inputs[0])}`);
  // Features are the model's own: hashed bag of words, 100 floats per sentence, batched in one request.
  const features = new Float32Array(sentences.length * 100);
  for (const [row, sentence] of sentences.entries()) features.set(hashedBagOfWords(sentence, 100), row * 100);
  const result = await client.inference.infer('ref-classify', [
    tensor('input', features, [sentences.length, 100]),
  ]);
  const probability = result.outputs.find((output) => output.name === 'probability');
  if (probability?.datatype !== 'FP32') throw new Error('no FP32 probability output');
  let correct = 0;
  labelled.forEach(({ sentence, expected }, row) => {
    const positive = probability.data[row] ?? Number.NaN;
    const predicted = positive >= 0.5 ? 'positive' : 'negative';
    if (predicted === expected) correct += 1;
    console.log(`${predicted} p=${positive.toFixed(3)} (expected ${expected})  ${sentence}`);
  });
  console.log(`${correct} of ${labelled.length} as expected`);
} finally {
  await client.close();
  await target.close();
}
