// Writes examples/model-repository/scale/1/model.onnx: y = 2x + 1, the "your own ONNX model" of the examples.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildOnnxModel, floatTensor } from './lib/onnx-model-builder.js';

const target = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'examples',
  'model-repository',
  'scale',
  '1',
  'model.onnx',
);
const model = buildOnnxModel({
  name: 'scale',
  description: 'y = 2x + 1, elementwise, for any [batch, 2] float input.',
  inputs: [{ name: 'x', type: 'float', shape: ['batch', 2] }],
  outputs: [{ name: 'y', type: 'float', shape: ['batch', 2] }],
  initializers: [
    floatTensor('two', [], new Float32Array([2])),
    floatTensor('one', [], new Float32Array([1])),
  ],
  nodes: [
    { opType: 'Mul', inputs: ['x', 'two'], outputs: ['doubled'] },
    { opType: 'Add', inputs: ['doubled', 'one'], outputs: ['y'] },
  ],
});
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, model);
console.log(`wrote ${target} (${model.length} bytes)`);
