import { type InferRequest, type InferResponse, inferRequestSchema } from '../../../wire/oip/oip-schemas.js';
import { billedComputeMs } from '../../billing/metered-usage.js';
import { badRequest, HttpError } from '../../http/http-error.js';
import type { RequestContext } from '../../http/request-context.js';
import type { TensorSignature } from '../../inference/model-signature.js';
import type { TensorValue } from '../../inference/tensor-value.js';
import type { ModelVersionEntry } from '../../models/model-registry.js';
import { parseRequest } from '../parse-request.js';
import type { RouteServices } from '../route-services.js';
import { datatypeOfOnnxType } from './oip-datatypes.js';
import { decodeInferInput, encodeInferOutput, overflowingInputError } from './tensor-codec.js';

function checkShape(declared: TensorSignature, tensor: TensorValue, param: string): void {
  const expected = declared.shape.map((size) => (size === -1 ? '?' : String(size))).join(', ');
  const fits =
    declared.shape.length === tensor.dims.length &&
    declared.shape.every((size, axis) => size === -1 || size === tensor.dims[axis]);
  if (!fits) {
    throw badRequest(
      `Input '${declared.name}' has shape [${tensor.dims.join(', ')}]; the model expects [${expected}] (? = any size).`,
      param,
    );
  }
}

function decodeFeeds(request: InferRequest, entry: ModelVersionEntry): Record<string, TensorValue> {
  const declaredInputs = entry.signature.inputs;
  const feeds: Record<string, TensorValue> = {};
  for (const [index, input] of request.inputs.entries()) {
    const param = `inputs.${index}`;
    const declared = declaredInputs.find((candidate) => candidate.name === input.name);
    if (declared === undefined) {
      const names = declaredInputs.map((candidate) => `'${candidate.name}'`).join(', ');
      throw badRequest(
        `The model '${entry.name}' has no input '${input.name}'; its inputs are ${names}.`,
        `${param}.name`,
      );
    }
    if (feeds[input.name] !== undefined)
      throw badRequest(`Input '${input.name}' is given twice.`, `${param}.name`);
    const tensor = decodeInferInput(input, param);
    if (tensor.type !== declared.type) {
      throw badRequest(
        `Input '${input.name}' is ${input.datatype}; the model expects ${datatypeOfOnnxType(declared.type!)}.`,
        `${param}.datatype`,
      );
    }
    checkShape(declared, tensor, `${param}.shape`);
    feeds[input.name] = tensor;
  }
  const missing = declaredInputs.find((declared) => feeds[declared.name] === undefined);
  if (missing !== undefined)
    throw badRequest(`The model '${entry.name}' needs the input '${missing.name}'.`, 'inputs');
  return feeds;
}

function requestedOutputs(request: InferRequest, entry: ModelVersionEntry): string[] {
  const declared = entry.signature.outputs.map((output) => output.name);
  if (request.outputs === undefined) return declared;
  const names: string[] = [];
  for (const [index, output] of request.outputs.entries()) {
    if (!declared.includes(output.name)) {
      throw badRequest(
        `The model '${entry.name}' has no output '${output.name}'; its outputs are ${declared.map((name) => `'${name}'`).join(', ')}.`,
        `outputs.${index}.name`,
      );
    }
    if (!names.includes(output.name)) names.push(output.name);
  }
  return names;
}

function parseInferRequest(body: unknown): InferRequest {
  try {
    return parseRequest(inferRequestSchema, body);
  } catch (error) {
    // Only on the failure path: say which element overflowed, not just that the data is invalid.
    throw overflowingInputError(body) ?? error;
  }
}

/**
 * Runs one OIP v2 inference request: inputs are checked against the model's metadata
 * (names, datatypes, ranks and fixed dimensions, element counts) and every value against its
 * datatype (a value that does not fit is a 400 naming the input and element, before anything
 * runs or is billed), the optional `outputs`
 * list filters what is fetched, and onnxruntime's own complaints (e.g. batch sizes that
 * disagree between inputs) are 400s, as they come from the request.
 *
 * @example
 * return jsonResponse(await inferModel(services, entry, context));
 */
export async function inferModel(
  services: RouteServices,
  entry: ModelVersionEntry,
  context: RequestContext,
): Promise<InferResponse> {
  const request = parseInferRequest(await context.readJson());
  const feeds = decodeFeeds(request, entry);
  const outputNames = requestedOutputs(request, entry);
  let result: Awaited<ReturnType<typeof services.engine.run>>;
  try {
    // ref-embed's rows may differ in length; padded with mask 0 they still share a batch.
    const padding =
      entry.engineKey === services.embedding.engineKey ? services.embedding.batchPadding : undefined;
    result = await services.engine.run(
      entry.engineKey,
      feeds,
      outputNames,
      padding === undefined ? {} : { padding },
    );
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new HttpError(400, `The model rejected the inputs: ${detail}`, { code: 'inference_failed' });
  }
  // Billed from here: the model ran. Elements count the inputs, as the SDK's OIP usage does by default.
  context.model = entry.name;
  context.meter.addComputeMs(result.computeMilliseconds);
  const outputs = outputNames.map((name) => encodeInferOutput(name, result.outputs[name]!));
  context.meter.addTensorElements(Object.values(feeds).reduce((sum, tensor) => sum + tensor.data.length, 0));
  const metered = context.meter.snapshot();
  return {
    model_name: entry.name,
    model_version: entry.version,
    ...(request.id === undefined ? {} : { id: request.id }),
    // OIP has no usage object: what is billed besides bytes goes in the response parameters.
    parameters: {
      compute_ms: billedComputeMs(metered.computeMs),
      tensor_elements: metered.tensorElements,
    },
    outputs,
  };
}
