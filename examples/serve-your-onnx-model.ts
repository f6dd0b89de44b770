// Serves your own ONNX model over OIP v2 with no code: a Triton-layout repository <dir>/<model>/<version>/model.onnx.
import { fileURLToPath } from 'node:url';
import { AiaasClient, tensor } from 'aiaas';
import { startReferenceServer } from 'aiaas/server';

// The repository holds scale/1/model.onnx (y = 2x + 1, made by scripts/make-example-repository.ts).
// Point `modelsDir` (or `aiaas serve --models <dir>`) at your own models the same way.
const repository = fileURLToPath(new URL('./model-repository', import.meta.url));
const server = await startReferenceServer({ port: 0, modelsDir: repository });
const client = new AiaasClient({ provider: 'oip', baseURL: server.url });
try {
  console.log(`serving: ${server.models.join(', ')}`);
  const metadata = await client.inference.modelMetadata('scale');
  console.log(
    `scale inputs: ${JSON.stringify(metadata.inputs)} outputs: ${JSON.stringify(metadata.outputs)}`,
  );
  const result = await client.inference.infer('scale', [tensor('x', new Float32Array([1, 2, 3, 4]), [2, 2])]);
  const [output] = result.outputs;
  if (output?.datatype !== 'FP32') throw new Error('expected an FP32 output');
  console.log(
    `${output.name} ${output.datatype} shape ${JSON.stringify(output.shape)}: ${[...output.data].join(', ')}`,
  );
} finally {
  await client.close();
  await server.close();
}
