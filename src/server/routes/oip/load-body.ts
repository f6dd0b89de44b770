import { repositoryLoadRequestSchema } from '../../../wire/oip/repository-schemas.js';
import { badRequest } from '../../http/http-error.js';
import type { DeploymentBytes } from '../../models/deployment/deployment-files.js';
import { isValidModelVersion } from '../../models/model-name-rules.js';
import { parseRequest } from '../parse-request.js';
import { decodeBase64Bytes } from './base64-bytes.js';
import { type JsonWithLongStrings, parseJsonKeepingLongStrings } from './json-long-strings.js';

/** What a Triton load body asks for: the config as JSON text and each version's ONNX bytes. */
export interface DecodedLoadBody {
  configText?: string | undefined;
  files: DeploymentBytes[];
}

const filePattern = /^file:([^/]+)\/model\.onnx$/;
/** String values this long stay bytes in the body until used: model files, as base64. */
const longStringBytes = 64 * 1024;

/** A parameter's value as the bytes of its text: in place for a long one, encoded for a short one. */
function valueBytes(body: Buffer, json: JsonWithLongStrings, value: unknown): Uint8Array | undefined {
  const range = json.rangeOf(value);
  if (range !== undefined) return body.subarray(range.start, range.end);
  return typeof value === 'string' ? Buffer.from(value) : undefined;
}

function decodeFile(
  key: string,
  bytesOfText: Uint8Array | undefined,
  allocate: ((length: number) => Uint8Array) | undefined,
): DeploymentBytes {
  const version = filePattern.exec(key)?.[1];
  if (version === undefined || !isValidModelVersion(version)) {
    throw badRequest(
      `The parameter '${key}' is not a file this server loads; name it file:<version>/model.onnx with a positive integer version.`,
      `parameters.${key}`,
    );
  }
  const bytes = bytesOfText === undefined ? undefined : decodeBase64Bytes(bytesOfText, allocate);
  if (bytes === undefined)
    throw badRequest(`The parameter '${key}' must be the file's bytes in base64.`, `parameters.${key}`);
  return { version, bytes };
}

/**
 * Reads `POST /v2/repository/models/{name}/load`'s body (empty counts as `{}`): a 400 naming the
 * parameter at fault for anything that is not a config string or a base64 model file. Files are
 * decoded into memory `allocate` gives (default: new arrays).
 *
 * @example
 * decodeLoadBody(Buffer.from('{"parameters":{"config":"{}","file:1/model.onnx":"CAg="}}'));
 */
export function decodeLoadBody(body: Buffer, allocate?: (length: number) => Uint8Array): DecodedLoadBody {
  const json: JsonWithLongStrings =
    body.length === 0
      ? { value: {}, rangeOf: () => undefined }
      : parseJsonKeepingLongStrings(body, longStringBytes);
  const parameters = parseRequest(repositoryLoadRequestSchema, json.value).parameters ?? {};
  const request: DecodedLoadBody = { files: [] };
  for (const [key, value] of Object.entries(parameters)) {
    if (key === 'config') {
      if (typeof value !== 'string')
        throw badRequest(
          'The parameter config must be a JSON string of the model configuration.',
          'parameters.config',
        );
      const range = json.rangeOf(value);
      request.configText = range === undefined ? value : body.toString('utf8', range.start, range.end);
    } else if (key.startsWith('file:')) {
      request.files.push(decodeFile(key, valueBytes(body, json, value), allocate));
    }
  }
  return request;
}
