import { repositoryLoadRequestSchema } from '../../../wire/oip/repository-schemas.js';
import { badRequest } from '../../http/http-error.js';
import { parseJsonBody } from '../../http/request-body.js';
import type { DeploymentFile } from '../../models/deployment/deployment-files.js';
import { isValidModelVersion } from '../../models/model-name-rules.js';
import { parseRequest } from '../parse-request.js';

/** What a Triton load body asks for: the config as JSON text and each version's ONNX bytes. */
export interface DecodedLoadBody {
  configText?: string | undefined;
  files: DeploymentFile[];
}

const filePattern = /^file:([^/]+)\/model\.onnx$/;

/**
 * The bytes of a base64 text, or undefined if it is not one. Node's decoder skips what is not
 * base64 and stops at `=`, so a text with anything else in it decodes to fewer bytes than its
 * length promises. Checked this way instead of by a regular expression over the whole text, which
 * took about 40 ms for a 4 MiB model.
 */
function strictBase64(text: string): Buffer | undefined {
  // Node also reads the URL-safe alphabet; Triton's parameters are standard base64.
  if (text.length % 4 !== 0 || text.includes('-') || text.includes('_')) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(text, 'base64');
  return bytes.length === (text.length / 4) * 3 - padding ? bytes : undefined;
}

function decodeFile(key: string, value: unknown): DeploymentFile {
  const version = filePattern.exec(key)?.[1];
  if (version === undefined || !isValidModelVersion(version)) {
    throw badRequest(
      `The parameter '${key}' is not a file this server loads; name it file:<version>/model.onnx with a positive integer version.`,
      `parameters.${key}`,
    );
  }
  const bytes = typeof value === 'string' ? strictBase64(value) : undefined;
  if (bytes === undefined)
    throw badRequest(`The parameter '${key}' must be the file's bytes in base64.`, `parameters.${key}`);
  return { version, bytes };
}

/**
 * Reads `POST /v2/repository/models/{name}/load`'s body (empty counts as `{}`): a 400 naming the
 * parameter at fault for anything that is not a config string or a base64 model file.
 *
 * @example
 * decodeLoadBody(Buffer.from('{"parameters":{"config":"{}","file:1/model.onnx":"CAg="}}'));
 */
export function decodeLoadBody(body: Buffer): DecodedLoadBody {
  const json = body.length === 0 ? {} : parseJsonBody(body);
  const parameters = parseRequest(repositoryLoadRequestSchema, json).parameters ?? {};
  const request: DecodedLoadBody = { files: [] };
  for (const [key, value] of Object.entries(parameters)) {
    if (key === 'config') {
      if (typeof value !== 'string')
        throw badRequest(
          'The parameter config must be a JSON string of the model configuration.',
          'parameters.config',
        );
      request.configText = value;
    } else if (key.startsWith('file:')) {
      request.files.push(decodeFile(key, value));
    }
  }
  return request;
}
