// Deploys your own ONNX model to a running server with no restart (Triton's repository extension),
// runs it, unloads it, and prints what it cost: pay per model, by the hour deployed and per request.
import { AiaasClient, Money, parseServerUsage, tensor } from 'aiaas';
import { buildOnnxModel, floatTensor } from '../scripts/lib/onnx-model-builder.js';
import { exampleTarget } from './support/example-server.js';

// Your model: y = 3x - 1 on [batch, 2] floats (any ONNX file works the same way; pass a path instead of bytes).
const model = buildOnnxModel({
  name: 'my-model',
  description: 'y = 3x - 1',
  inputs: [{ name: 'x', type: 'float', shape: ['batch', 2] }],
  outputs: [{ name: 'y', type: 'float', shape: ['batch', 2] }],
  initializers: [
    floatTensor('three', [], new Float32Array([3])),
    floatTensor('one', [], new Float32Array([1])),
  ],
  nodes: [
    { opType: 'Mul', inputs: ['x', 'three'], outputs: ['tripled'] },
    { opType: 'Sub', inputs: ['tripled', 'one'], outputs: ['y'] },
  ],
});

// The embedded server's rate card prices my-model per hour deployed and per request.
const target = await exampleTarget({
  rateCard: {
    currency: 'USD',
    effective_from: '2025-01-01',
    models: {
      'ref-chat': { per_token: { input_per_million: '0.50', output_per_million: '1.50' } },
      'ref-embed': { per_mb_in: '0.10' },
      'ref-classify': { per_request: '0.00001' },
      'my-model': { per_hour_deployed: '0.36', per_request: '0.0002' },
    },
  },
});
const client = new AiaasClient({
  provider: 'oip',
  baseURL: target.baseURL,
  apiKey: target.apiKey,
  pricing: 'server',
});
try {
  // The config is Triton's (JSON); the server checks it against the graph before serving.
  const config = {
    max_batch_size: 8,
    input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [2] }],
    output: [{ name: 'y', data_type: 'TYPE_FP32', dims: [2] }],
  };
  await client.inference.repository.load('my-model', { config, files: { 1: model } });
  const entry = (await client.inference.repository.index()).find((row) => row.name === 'my-model');
  console.log(`my-model version ${entry?.version}: ${entry?.state}`);
  for (const x of [
    [1, 2],
    [0, -1],
  ]) {
    const result = await client.inference.infer('my-model', [tensor('x', new Float32Array(x), [1, 2])]);
    const [y] = result.outputs;
    if (y?.datatype !== 'FP32') throw new Error('expected an FP32 output');
    console.log(`${y.name} ${y.datatype} shape ${JSON.stringify(y.shape)}: ${[...y.data].join(', ')}`);
  }
  await client.inference.repository.unload('my-model');
  console.log('unloaded my-model');

  // What the server billed: each request's fee, and the seconds it was READY at 0.36 USD per hour.
  const response = await fetch(`${target.baseURL}/v1/usage?model=my-model`, {
    headers: target.apiKey === null ? {} : { authorization: `Bearer ${target.apiKey}` },
  });
  const records = parseServerUsage(await response.json()).data;
  const sum = (list: typeof records) =>
    Money.sum(
      'USD',
      list.map((record) => Money.of(record.cost.amount, 'USD')),
    );
  const deployed = records.filter((record) => (record.usage.deployed_seconds ?? 0) > 0);
  const requests = records.filter((record) => record.usage.requests > 0);
  const seconds = deployed.reduce((total, record) => total + (record.usage.deployed_seconds ?? 0), 0);
  console.log(`deployed for ${seconds} s: ${sum(deployed).toDecimalString()} USD`);
  console.log(`${requests.length} requests: ${sum(requests).toDecimalString()} USD`);
  const ledgerTotal = Money.sum(
    'USD',
    (await client.ledger.entries()).map((item) => item.cost ?? Money.zero('USD')),
  );
  console.log(`the client ledger recorded the requests: ${ledgerTotal.toDecimalString()} USD`);
  console.log(`total billed: ${sum(records).toDecimalString()} USD`);
} finally {
  await client.close();
  await target.close();
}
