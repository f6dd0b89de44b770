import { badRequest } from '../http/http-error.js';
import { maxFileExpirySeconds } from './file-options.js';
import { type FilePurpose, filePurposes, isFilePurpose } from './jsonl-check.js';
import type { MultipartPartSink } from './multipart-parser.js';

/** Longest text field of an upload form (`purpose`, `expires_after[...]`). */
const maxFieldBytes = 1024;

/** A sink keeping a small text field, refusing one longer than {@link maxFieldBytes}. */
export function textFieldSink(name: string, fields: Map<string, string>): MultipartPartSink {
  const chunks: Buffer[] = [];
  let bytes = 0;
  return {
    write(chunk) {
      bytes += chunk.length;
      if (bytes > maxFieldBytes)
        throw badRequest(`The field '${name}' is longer than ${maxFieldBytes} bytes.`, name);
      chunks.push(Buffer.from(chunk));
    },
    end() {
      fields.set(name, Buffer.concat(chunks).toString('utf8'));
    },
  };
}

/** The upload's `purpose`, one of OpenAI's, or a 400 listing them. */
export function uploadPurpose(fields: ReadonlyMap<string, string>): FilePurpose {
  const purpose = fields.get('purpose');
  if (purpose === undefined)
    throw badRequest("The field 'purpose' is required.", 'purpose', 'missing_required_parameter');
  if (!isFilePurpose(purpose))
    throw badRequest(`The purpose '${purpose}' is not one of ${filePurposes.join(', ')}.`, 'purpose');
  return purpose;
}

/** Unix seconds the upload expires at from `expires_after[anchor]` and `[seconds]`, or null. */
export function uploadExpiry(
  fields: ReadonlyMap<string, string>,
  createdAt: number,
  minSeconds: number,
): number | null {
  const anchor = fields.get('expires_after[anchor]');
  const seconds = fields.get('expires_after[seconds]');
  if (anchor === undefined && seconds === undefined) return null;
  if (anchor !== 'created_at')
    throw badRequest("expires_after[anchor] must be 'created_at'.", 'expires_after.anchor');
  const value = Number(seconds);
  if (seconds === undefined || !/^\d+$/.test(seconds) || value < minSeconds || value > maxFileExpirySeconds)
    throw badRequest(
      `expires_after[seconds] must be an integer from ${minSeconds} to ${maxFileExpirySeconds}, got '${seconds ?? ''}'.`,
      'expires_after.seconds',
    );
  return createdAt + value;
}
