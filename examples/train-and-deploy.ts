// Training as a service, the Keras way: upload labelled data, fine-tune ref-classify on it (OpenAI's
// files and fine-tuning API), follow the epochs, evaluate the deployed model against the base one,
// run it, and see what it all cost.
import { AiaasClient, evaluate, Money, parseServerUsage, tensor } from 'aiaas';
import { exampleTarget } from './support/example-server.js';

/** A learnable rule on 100 features: label 1 when the first ten sum above 0 (seeded, so runs repeat). */
function labelledData(rows: number, seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return (state / 2 ** 31) * 2 - 1;
  };
  return Array.from({ length: rows }, () => {
    const input = Array.from({ length: 100 }, () => Math.round(next() * 1000) / 1000);
    const label: 0 | 1 = input.slice(0, 10).reduce((sum, value) => sum + value, 0) > 0 ? 1 : 0;
    return { input, label };
  });
}

const target = await exampleTarget();
// Files and jobs speak OpenAI's API; inference speaks OIP v2. Both priced by the server's rate card.
const openai = new AiaasClient({ baseURL: target.baseURL, apiKey: target.apiKey });
const oip = new AiaasClient({
  provider: 'oip',
  baseURL: target.baseURL,
  apiKey: target.apiKey,
  pricing: 'server',
});
try {
  const train = labelledData(800, 11);
  const heldOut = labelledData(300, 99);
  const jsonl = `${train.map((row) => JSON.stringify(row)).join('\n')}\n`;
  const file = await openai.files.create({
    file: new TextEncoder().encode(jsonl),
    filename: 'train.jsonl',
    purpose: 'fine-tune',
  });
  console.log(`uploaded ${file.filename}: ${file.bytes} bytes as ${file.id}`);

  const created = await openai.fineTuning.jobs.create({
    model: 'ref-classify',
    training_file: file.id,
    suffix: 'example',
    seed: 7,
    hyperparameters: { n_epochs: 10, batch_size: 32, learning_rate_multiplier: 5 },
  });
  const job = await openai.fineTuning.jobs.wait(created.id, {
    pollInterval: 100,
    onEvent: (event) => {
      if (event.type !== 'metrics') return;
      const metrics = event.data as { epoch: number; train_loss: number; accuracy?: number };
      console.log(
        `epoch ${metrics.epoch}/10  loss ${metrics.train_loss.toFixed(4)}  accuracy ${metrics.accuracy?.toFixed(3)}`,
      );
    },
  });
  if (job.status !== 'succeeded') throw new Error(`job ${job.id} ${job.status}: ${job.error?.message}`);
  const model = job.fine_tuned_model!;
  console.log(`deployed as ${model}`);

  // The model.evaluate(x_test, y_test) step: the base model and the tuned one on held-out data.
  const base = await evaluate({ client: oip, model: 'ref-classify', data: heldOut });
  const tuned = await evaluate({ client: oip, model, data: heldOut, batchSize: 64, concurrency: 2 });
  console.log(`held-out accuracy: base ${base.accuracy.toFixed(3)}, fine-tuned ${tuned.accuracy.toFixed(3)}`);
  console.log(
    `fine-tuned F1 ${tuned.f1.toFixed(3)}, ROC AUC ${tuned.rocAuc.toFixed(3)}, log loss ${tuned.logLoss.toFixed(3)}`,
  );
  console.log(
    // A tenant's ft: model is priced by the rate card's default_model, as the server bills it.
    `evaluating cost ${base.cost?.toDecimalString()} USD (base) and ${tuned.cost?.toDecimalString()} USD (fine-tuned), from the client ledger`,
  );

  const example = heldOut[0]!;
  const answer = await oip.inference.infer(model, [
    tensor('input', new Float32Array(example.input), [1, 100]),
  ]);
  const [probability] = answer.outputs;
  if (probability?.datatype !== 'FP32') throw new Error('expected an FP32 probability');
  console.log(`one example: p=${probability.data[0]!.toFixed(3)}, label ${example.label}`);

  // What the server billed for the training (compute, data volume, examples × epochs).
  const response = await fetch(`${target.baseURL}/v1/usage?model=aiaas-fine-tuning`, {
    headers: target.apiKey === null ? {} : { authorization: `Bearer ${target.apiKey}` },
  });
  const records = parseServerUsage(await response.json()).data;
  const training = Money.sum(
    'USD',
    records.map((record) => Money.of(record.cost.amount, 'USD')),
  );
  console.log(`training billed: ${training.toDecimalString()} USD in ${records.length} records`);
} finally {
  await openai.close();
  await oip.close();
  await target.close();
}
