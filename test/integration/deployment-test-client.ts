import { type JsonAnswer, requestJson } from './server-test-client.js';

/** Raw-HTTP calls of Triton's repository extension, as any Triton client sends them. */

export interface LoadBody {
  config?: unknown;
  files?: Record<string, Uint8Array>;
}

/** `{parameters: {config: "<json>", "file:<v>/model.onnx": "<base64>"}}` from a config object and files by version. */
export function loadParameters(body: LoadBody): Record<string, string> {
  const parameters: Record<string, string> = {};
  if (body.config !== undefined) parameters.config = JSON.stringify(body.config);
  for (const [version, bytes] of Object.entries(body.files ?? {})) {
    parameters[`file:${version}/model.onnx`] = Buffer.from(bytes).toString('base64');
  }
  return parameters;
}

function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

export function loadModel(url: string, key: string, name: string, body: LoadBody = {}): Promise<JsonAnswer> {
  return requestJson(`${url}/v2/repository/models/${name}/load`, {
    body: { parameters: loadParameters(body) },
    headers: bearer(key),
  });
}

export function unloadModel(url: string, key: string, name: string): Promise<JsonAnswer> {
  return requestJson(`${url}/v2/repository/models/${name}/unload`, { body: {}, headers: bearer(key) });
}

export async function repositoryIndex(url: string, key: string, ready?: boolean): Promise<JsonAnswer> {
  return requestJson(`${url}/v2/repository/index`, {
    body: ready === undefined ? {} : { ready },
    headers: bearer(key),
  });
}

/** Infers the test's affine model (`y = x * scale + offset` on [1, 3]) with x = [1, 2, 3]. */
export function inferAffine(url: string, key: string, name: string): Promise<JsonAnswer> {
  return requestJson(`${url}/v2/models/${name}/infer`, {
    body: { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] },
    headers: bearer(key),
  });
}

/** The Triton config of the affine model (max_batch_size 8: dims leave out the batch). */
export const affineConfig = {
  backend: 'onnxruntime',
  max_batch_size: 8,
  input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [3] }],
  output: [{ name: 'y', data_type: 'TYPE_FP32', dims: [3] }],
};
