import { HttpError } from '../http/http-error.js';

/** What OpenAI accepts as a file's `purpose`. */
export const filePurposes = ['fine-tune', 'assistants', 'batch', 'vision', 'user_data', 'evals'] as const;

export type FilePurpose = (typeof filePurposes)[number];

export function isFilePurpose(value: string): value is FilePurpose {
  return (filePurposes as readonly string[]).includes(value);
}

function invalidLine(filename: string, line: number, detail: string): HttpError {
  return new HttpError(400, `The file '${filename}' is not valid JSONL: line ${line} ${detail}.`, {
    param: 'file',
    code: 'invalid_file_format',
  });
}

/**
 * Checks that every line of a JSONL file is a JSON object (blank lines are allowed, as in
 * OpenAI's training files), naming the first line that is not. Reads the bytes chunk by chunk,
 * holding one line at a time.
 *
 * @example
 * await checkJsonLines([Buffer.from('{"a":1}\n[]\n')], 'train.jsonl'); // throws: line 2 is not a JSON object
 */
export async function checkJsonLines(chunks: AsyncIterable<Buffer> | Iterable<Buffer>, filename: string) {
  let carried: Buffer = Buffer.alloc(0);
  let lineNumber = 0;
  let objects = 0;
  const checkLine = (bytes: Buffer) => {
    lineNumber += 1;
    const text = bytes.toString('utf8').trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw invalidLine(filename, lineNumber, `is not valid JSON (${(error as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw invalidLine(filename, lineNumber, 'is not a JSON object');
    objects += 1;
  };
  for await (const chunk of chunks) {
    let data = carried.length === 0 ? chunk : Buffer.concat([carried, chunk]);
    for (let newline = data.indexOf(10); newline >= 0; newline = data.indexOf(10)) {
      checkLine(data.subarray(0, newline));
      data = data.subarray(newline + 1);
    }
    carried = data;
  }
  if (carried.length > 0) checkLine(carried);
  if (objects === 0)
    throw new HttpError(
      400,
      `The file '${filename}' holds no JSON lines; a fine-tune file needs at least one.`,
      {
        param: 'file',
        code: 'invalid_file_format',
      },
    );
}
